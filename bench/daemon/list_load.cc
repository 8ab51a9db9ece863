// Load generator for the Engine API over a unix socket: C clients, each on its own
// keep-alive connection, send GET <path> back to back for D seconds. Prints one line:
//   requests=<n> errors=<n> seconds=<s> rps=<r> p50_ms=<x> p99_ms=<y>
// Usage: berth-api-bench SOCKET [PATH=/containers/json?all=1] [CLIENTS=50] [SECONDS=10]
#include <algorithm>
#include <utility>  // before Asio: its awaitable.hpp needs std::exchange
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SOCKET [PATH] [CLIENTS] [SECONDS]\n", argv[0]);
    return 2;
  }
  std::string sock = argv[1];
  std::string target = argc > 2 ? argv[2] : "/containers/json?all=1";
  int clients = argc > 3 ? std::atoi(argv[3]) : 50;
  double seconds = argc > 4 ? std::atof(argv[4]) : 10;
  std::atomic<long> errors{0};
  std::mutex mu;
  std::vector<double> all_ms;
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> ms;
      asio::io_context ioc;
      asio::local::stream_protocol::socket s(ioc);
      boost::system::error_code ec;
      boost::beast::flat_buffer buf;
      auto connect = [&] {
        s.close(ec);
        s.connect(asio::local::stream_protocol::endpoint(sock), ec);
      };
      connect();
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, "berth");
      while (Clock::now() < end) {
        auto t0 = Clock::now();
        http::write(s, req, ec);
        http::response<http::string_body> res;
        if (!ec) http::read(s, buf, res, ec);
        if (ec || res.result_int() != 200) {
          ++errors;
          buf.clear();
          connect();
          continue;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard lock(mu);
      all_ms.insert(all_ms.end(), ms.begin(), ms.end());
    });
  }
  auto start = Clock::now();
  for (auto& t : threads) t.join();
  double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(all_ms.begin(), all_ms.end());
  auto pct = [&](double p) { return all_ms.empty() ? 0.0 : all_ms[std::min(all_ms.size() - 1, size_t(p * all_ms.size()))]; };
  std::printf("requests=%zu errors=%ld seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f\n", all_ms.size(), errors.load(),
              took, double(all_ms.size()) / took, pct(0.50), pct(0.99));
  return all_ms.empty() ? 1 : 0;
}
