// berth net benchmark: median time to attach a netns to a bridge network (veth, address,
// route, DNS registration) and embedded-DNS queries per second from inside a namespace.
// Runs as root; creates and removes its own network, namespaces and nftables table, and
// sends traffic only to the bridge it created.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/network.h"
#include "net/bridge_attacher.h"
#include "net/dns_message.h"
#include "net/nft_rules.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

/// Sends A queries for name to server:53 from inside netns with `window` in flight for `secs`.
double dns_qps(const std::string& netns, const std::string& server, const std::string& name, double secs) {
  double qps = 0;
  std::thread t([&] {
    int nsfd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || ::setns(nsfd, CLONE_NEWNET) != 0) return;
    ::close(nsfd);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(53);
    ::inet_pton(AF_INET, server.c_str(), &sa.sin_addr);
    ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    std::string q = net::build_dns_query(1, name);
    const int window = 32;
    long answered = 0, inflight = 0;
    auto start = Clock::now();
    auto end = start + std::chrono::duration<double>(secs);
    char buf[1500];
    while (Clock::now() < end) {
      while (inflight < window) {
        if (::send(fd, q.data(), q.size(), 0) < 0) break;
        ++inflight;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) {
        inflight = 0;  // lost packets: refill the window
        continue;
      }
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
        ++answered;
        --inflight;
      }
    }
    qps = double(answered) / std::chrono::duration<double>(Clock::now() - start).count();
    ::close(fd);
  });
  t.join();
  return qps;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 50;
  std::string tmp = std::filesystem::temp_directory_path() / ("berth-net-bench-" + std::to_string(::getpid()));
  engine::NetworkOptions o;
  o.state_dir = tmp + "/state";
  o.run_dir = tmp + "/run";
  o.nft_table = "berth_bench_" + std::to_string(::getpid());
  o.default_bridge = "";
  o.dns_upstreams = {"127.0.0.1:9"};  // never asked: the benchmark only queries known names
  o.subnet_pool = {"10.214.0.0/16:24"};
  auto dns = net::make_dns_server(o);
  if (!dns->start()) return 1;
  auto att = net::make_bridge_network_attacher(o, dns);
  engine::NetworkSpec spec;
  spec.name = "bench-" + std::to_string(::getpid());
  auto nw = att->create_network(spec);
  if (!nw) {
    std::fprintf(stderr, "%s\n", nw.error().str().c_str());
    return 1;
  }
  std::vector<std::string> ids;
  std::vector<double> times;
  int rc = 0;
  for (int i = 0; i < n; ++i) {
    std::string id = "bench" + std::to_string(i);
    auto p = att->create_netns(id);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().str().c_str());
      rc = 1;
      break;
    }
    ids.push_back(id);
    engine::EndpointSpec e;
    e.network_id = nw->spec.id;
    e.container_id = id;
    e.netns_path = *p;
    e.dns_names = {"svc", id};
    auto t0 = Clock::now();
    auto r = att->attach(e);
    times.push_back(ms_since(t0));
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().str().c_str());
      rc = 1;
      break;
    }
  }
  if (!times.empty()) {
    std::sort(times.begin(), times.end());
    std::printf("attach_ms median=%.3f p90=%.3f max=%.3f n=%zu (goal: median < 5 ms)\n", times[times.size() / 2],
                times[times.size() * 9 / 10], times.back(), times.size());
  }
  if (rc == 0 && !ids.empty()) {
    double qps = dns_qps(o.run_dir + "/netns/" + ids[0], nw->spec.gateway, ids.back(), 3.0);
    std::printf("dns_qps=%.0f (goal: >= 20000)\n", qps);
  }
  for (const auto& id : ids) {
    (void)att->detach(id, nw->spec.id);
    (void)att->remove_netns(id);
  }
  (void)att->remove_network(nw->spec.id);
  (void)net::nft_delete_table(o.nft_table);
  att.reset();
  dns->stop();
  std::filesystem::remove_all(tmp);
  return rc;
}
