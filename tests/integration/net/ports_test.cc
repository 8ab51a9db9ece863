// Published ports: DNAT to a namespace, reachable on 127.0.0.1 from the host and from other
// containers; taken ports fail with an error naming the port; rules leave with unpublish.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "net/nft_rules.h"
#include "tests/integration/net/net_fixture.h"

using engine::PortBinding;
using nettest::Env;

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

}  // namespace

TEST_CASE("net: a published port answers on 127.0.0.1 and from other containers") {
  Env env;
  auto n = env.network("pub");
  std::string c1 = test::unique_name("web"), c2 = test::unique_name("cli");
  auto p1 = env.netns(c1), p2 = env.netns(c2);
  auto e1 = env.attach(c1, n, {"web"});
  env.attach(c2, n, {"cli"});
  nettest::Server server(p1, 80, "it works");
  nettest::Server range_a(p1, 9100, "range a");
  nettest::Server range_b(p1, 9101, "range b");

  // "80" (random host port on every address) and "127.0.0.1::9100-9101" style one-to-one range.
  auto pub = env.net->publish(c1, e1.ipv4, {PortBinding{"", 0, 0, 80, 0, "tcp"}});
  REQUIRE(pub.ok());
  REQUIRE(pub->size() == 1);
  int port = pub->at(0).host_port;
  CHECK(port > 0);
  CHECK(nettest::tcp_fetch("", "127.0.0.1", port) == "it works");
  // Another container reaches it through the host (its gateway address).
  CHECK(nettest::tcp_fetch(p2, n.spec.gateway, port) == "it works");
  // And the container itself, through the host (hairpin).
  CHECK(nettest::tcp_fetch(p1, n.spec.gateway, port) == "it works");

  // A host range mapped one-to-one, bound to 127.0.0.1 only.
  auto held = env.net->publish(c1, e1.ipv4, {PortBinding{"127.0.0.1", 0, 0, 9100, 9101, "tcp"}});
  REQUIRE(held.ok());
  REQUIRE(held->size() == 2);
  CHECK(nettest::tcp_fetch("", "127.0.0.1", held->at(0).host_port) == "range a");
  CHECK(nettest::tcp_fetch("", "127.0.0.1", held->at(1).host_port) == "range b");
  std::string rules = net::nft_list_table(env.opts.nft_table);
  CHECK(rules.find("dnat to " + e1.ipv4 + ":80") != std::string::npos);

  REQUIRE(env.net->unpublish(c1).ok());
  CHECK(nettest::tcp_fetch("", "127.0.0.1", port) == "ERR:Connection refused");
  // Ports also go when their container leaves the network.
  auto again = env.net->publish(c1, e1.ipv4, {PortBinding{"127.0.0.1", 0, 0, 80, 0, "tcp"}});
  REQUIRE(again.ok());
  CHECK(nettest::tcp_fetch("", "127.0.0.1", again->at(0).host_port) == "it works");
  REQUIRE(env.net->detach(c1, n.spec.id).ok());
  CHECK(net::nft_list_table(env.opts.nft_table).find("dnat to") == std::string::npos);
  CHECK(nettest::tcp_fetch("", "127.0.0.1", again->at(0).host_port) == "ERR:Connection refused");
  CHECK(net::nft_list_table(env.opts.nft_table).find("dnat to") == std::string::npos);
}

TEST_CASE("net: a host port already taken fails with an error naming the port") {
  Env env;
  auto n = env.network("busy");
  std::string c = test::unique_name("w");
  env.netns(c);
  auto e = env.attach(c, n, {"w"});
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t sl = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &sl);
  int taken = ntohs(sa.sin_port);
  auto r = env.net->publish(c, e.ipv4, {PortBinding{"127.0.0.1", taken, 0, 80, 0, "tcp"}});
  ::close(fd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == engine::base::Code::AlreadyExists);
  CHECK(r.error().message == "publish port 80/tcp: bind host port 127.0.0.1:" + std::to_string(taken) +
                                 "/tcp: port " + std::to_string(taken) + " is already in use");
  // Our own published port is reserved too: a second container cannot take it.
  auto ok = env.net->publish(c, e.ipv4, {PortBinding{"127.0.0.1", 0, 0, 80, 0, "udp"}});
  REQUIRE(ok.ok());
  int udp_port = ok->at(0).host_port;
  auto again = env.net->publish(c, e.ipv4, {PortBinding{"", udp_port, 0, 81, 0, "udp"}});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("port " + std::to_string(udp_port) + " is already in use") != std::string::npos);
}

TEST_CASE("net: a published UDP port answers on 127.0.0.1") {
  Env env;
  auto n = env.network("udp");
  std::string c = test::unique_name("u");
  auto p = env.netns(c);
  auto e = env.attach(c, n, {"u"});
  int srv = nettest::in_netns(p, [] {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(5353);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 ? fd : -1;
  });
  REQUIRE(srv >= 0);
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    while (!stop) {
      pollfd pf{srv, POLLIN, 0};
      if (::poll(&pf, 1, 100) != 1) continue;
      char buf[512];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t len = ::recvfrom(srv, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (len > 0) ::sendto(srv, buf, size_t(len), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  });
  auto pub = env.net->publish(c, e.ipv4, {PortBinding{"127.0.0.1", 0, 0, 5353, 0, "udp"}});
  std::string got;
  if (pub.ok()) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa = loopback(pub->at(0).host_port);
    ::sendto(fd, "ping", 4, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 2000) == 1) {
      char buf[16];
      ssize_t len = ::recv(fd, buf, sizeof buf, 0);
      if (len > 0) got.assign(buf, size_t(len));
    }
    ::close(fd);
  }
  stop = true;
  echo.join();
  ::close(srv);
  REQUIRE(pub.ok());
  CHECK(got == "ping");
}
