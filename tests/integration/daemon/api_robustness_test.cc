// Bad input on the API socket: malformed requests, oversized bodies, stalled clients.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "engine/base/unique_fd.h"
#include "tests/integration/daemon_fixture.h"

namespace {

engine::base::UniqueFd dial(const std::string& path) {
  engine::base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

std::string exchange(const std::string& path, const std::string& raw) {
  auto fd = dial(path);
  REQUIRE(::send(fd.get(), raw.data(), raw.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(raw.size()));
  ::shutdown(fd.get(), SHUT_WR);
  std::string out;
  char buf[4096];
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

}  // namespace

TEST_CASE("api: malformed requests get a 4xx and the daemon keeps serving") {
  test::DaemonFixture d;
  std::string bad = exchange(d.socket(), "GARBAGE\r\n\r\n");
  CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);
  std::string missing = exchange(d.socket(), "GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(missing.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(missing.find("{\"message\":\"page not found\"}") != std::string::npos);
  CHECK(d.client().ping().ok());
}

TEST_CASE("api: a body over the limit is refused with 413") {
  test::DaemonFixture d;
  std::string req = "POST /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(64u << 20) + "\r\n\r\n";
  std::string out = exchange(d.socket(), req);
  CHECK(out.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(d.client().ping().ok());
}

TEST_CASE("api: a client stalled mid-request does not block others") {
  test::DaemonFixture d;
  std::vector<engine::base::UniqueFd> stalled;
  for (int i = 0; i < 50; ++i) {
    stalled.push_back(dial(d.socket()));
    std::string partial = "GET /_ping HTTP/1.1\r\nHost: x\r\n";  // never finished
    REQUIRE(::send(stalled.back().get(), partial.data(), partial.size(), MSG_NOSIGNAL) > 0);
  }
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) REQUIRE(d.client().ping().ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("api: keep-alive serves several requests on one connection") {
  test::DaemonFixture d;
  std::string two = "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string out = exchange(d.socket(), two);
  size_t first = out.find("HTTP/1.1 200");
  REQUIRE(first != std::string::npos);
  CHECK(out.find("HTTP/1.1 200", first + 1) != std::string::npos);
}
