// The embedded DNS server on loopback only (127.0.0.1, random ports); the forwarding test
// uses a fake upstream resolver run by the test on 127.0.0.1 — no real resolver is reached.
#include "net/dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <doctest/doctest.h>
#include <thread>

#include "net/dns_message.h"

namespace {

net::Ipv4 ip(const char* s) { return *net::parse_ipv4(s); }

sockaddr_in loopback(int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

/// Sends one query and returns the raw reply ("" on timeout).
std::string ask(int port, const std::string& name, uint16_t qtype = net::kDnsTypeA) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa = loopback(port);
  std::string q = net::build_dns_query(0x4242, name, qtype);
  ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  pollfd p{fd, POLLIN, 0};
  std::string out;
  if (::poll(&p, 1, 3000) == 1) {
    char buf[1500];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) out.assign(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

std::vector<std::string> answers(const std::string& reply, uint8_t* rcode = nullptr) {
  std::vector<std::string> out;
  for (auto a : net::parse_dns_answers(reply, rcode)) out.push_back(net::to_string(a));
  return out;
}

}  // namespace

TEST_CASE("dns_server: names are scoped per network and replicas rotate") {
  net::DnsServer dns({});
  REQUIRE(dns.start().ok());
  auto p1 = dns.add_listener("n1", ip("127.0.0.1"), 0);
  auto p2 = dns.add_listener("n2", ip("127.0.0.1"), 0);
  REQUIRE(p1.ok());
  REQUIRE(p2.ok());
  dns.register_endpoint("n1", "c1", {"web", "stack-web-1", "Alias1"}, ip("10.0.0.2"));
  dns.register_endpoint("n1", "c2", {"web", "stack-web-2"}, ip("10.0.0.3"));
  dns.register_endpoint("n2", "c3", {"db"}, ip("10.1.0.2"));

  auto r1 = answers(ask(*p1, "web"));
  auto r2 = answers(ask(*p1, "WEB."));
  CHECK(r1.size() == 2);
  CHECK(r2.size() == 2);
  CHECK(r1[0] != r2[0]);  // rotating order
  CHECK(answers(ask(*p1, "alias1")) == std::vector<std::string>{"10.0.0.2"});
  CHECK(answers(ask(*p1, "stack-web-2")) == std::vector<std::string>{"10.0.0.3"});
  uint8_t rc = 0;
  // db lives on n2 only; n1 has no upstream, so it is SERVFAIL there.
  CHECK(answers(ask(*p1, "db"), &rc).empty());
  CHECK(rc == net::kRcodeServFail);
  CHECK(answers(ask(*p2, "db")) == std::vector<std::string>{"10.1.0.2"});
  // AAAA for a known name: empty NOERROR, so clients fall back to A.
  CHECK(answers(ask(*p1, "web", net::kDnsTypeAAAA), &rc).empty());
  CHECK(rc == net::kRcodeNoError);

  dns.unregister_endpoint("n1", "c1");
  CHECK(answers(ask(*p1, "web")) == std::vector<std::string>{"10.0.0.3"});
  dns.remove_network("n1");
  dns.remove_network("n2");
  CHECK(dns.name_count() == 0);
  dns.stop();
}

TEST_CASE("dns_server: unknown names go to the upstream resolver and come back") {
  int up = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa = loopback(0);
  REQUIRE(::bind(up, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  socklen_t sl = sizeof sa;
  ::getsockname(up, reinterpret_cast<sockaddr*>(&sa), &sl);
  int up_port = ntohs(sa.sin_port);
  std::atomic<int> seen{0};
  std::thread fake([&] {
    pollfd p{up, POLLIN, 0};
    while (::poll(&p, 1, 3000) == 1) {
      char buf[1500];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = ::recvfrom(up, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) break;
      auto q = net::parse_dns_query(std::string_view(buf, size_t(n)));
      if (!q) continue;
      ++seen;
      std::string r = q->name == "example.test" ? net::build_dns_response(*q, 0, {ip("192.0.2.77")})
                                                 : net::build_dns_response(*q, net::kRcodeNxDomain, {});
      ::sendto(up, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
      if (seen == 2) break;
    }
  });
  net::DnsServer dns({{"127.0.0.1:" + std::to_string(up_port)}, 2000, 600});
  REQUIRE(dns.start().ok());
  auto port = dns.add_listener("n1", ip("127.0.0.1"), 0);
  REQUIRE(port.ok());
  std::string reply = ask(*port, "example.test");
  CHECK(net::dns_id(reply) == 0x4242);
  CHECK(answers(reply) == std::vector<std::string>{"192.0.2.77"});
  uint8_t rc = 0;
  CHECK(answers(ask(*port, "nothing.test"), &rc).empty());
  CHECK(rc == net::kRcodeNxDomain);
  fake.join();
  ::close(up);
  CHECK(seen == 2);
  dns.stop();
}

TEST_CASE("dns_server: upstreams come from resolv.conf") {
  CHECK(net::upstreams_from_resolv_conf("nameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.1\n") ==
        std::vector<std::string>{"127.0.0.53", "10.0.0.1"});
}

namespace {

/// One TCP query (length-prefixed) to 127.0.0.1:port; the raw answer or "".
std::string ask_tcp(int port, const std::string& name) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa = loopback(port);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    std::string q = net::build_dns_query(0x5151, name);
    std::string framed{char(q.size() >> 8), char(q.size() & 0xff)};
    framed += q;
    ::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
    char buf[1500];
    size_t got = 0;
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 3000) == 1) {
      ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
      if (n <= 0) break;
      got += size_t(n);
      if (got >= 2 && got >= 2 + ((size_t(uint8_t(buf[0])) << 8) | uint8_t(buf[1]))) break;
    }
    if (got > 2) out.assign(buf + 2, got - 2);
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("dns_server: TCP queries are answered too") {
  net::DnsServer dns({});
  REQUIRE(dns.start().ok());
  auto port = dns.add_listener("n1", ip("127.0.0.1"), 0);
  REQUIRE(port.ok());
  dns.register_endpoint("n1", "c1", {"web"}, ip("10.0.0.2"));
  std::string reply = ask_tcp(*port, "web");
  CHECK(net::dns_id(reply) == 0x5151);
  CHECK(answers(reply) == std::vector<std::string>{"10.0.0.2"});
  uint8_t rc = 0;
  CHECK(answers(ask_tcp(*port, "unknown"), &rc).empty());
  CHECK(rc == net::kRcodeServFail);
  dns.stop();
}

TEST_CASE("dns_server: TCP queries for other names are relayed over TCP to the upstream") {
  int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa = loopback(0);
  REQUIRE(::bind(up, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(up, 4) == 0);
  socklen_t sl = sizeof sa;
  ::getsockname(up, reinterpret_cast<sockaddr*>(&sa), &sl);
  std::thread fake([&] {
    pollfd p{up, POLLIN, 0};
    if (::poll(&p, 1, 3000) != 1) return;
    int c = ::accept4(up, nullptr, nullptr, SOCK_CLOEXEC);
    char buf[1500];
    ssize_t n = ::recv(c, buf, sizeof buf, 0);
    if (n > 2) {
      auto q = net::parse_dns_query(std::string_view(buf + 2, size_t(n) - 2));
      if (q) {
        std::string r = net::build_dns_response(*q, 0, {ip("192.0.2.55")});
        std::string framed{char(r.size() >> 8), char(r.size() & 0xff)};
        framed += r;
        ::send(c, framed.data(), framed.size(), MSG_NOSIGNAL);
      }
    }
    ::close(c);
  });
  net::DnsServer dns({{"127.0.0.1:" + std::to_string(ntohs(sa.sin_port))}, 2000, 600});
  REQUIRE(dns.start().ok());
  auto port = dns.add_listener("n1", ip("127.0.0.1"), 0);
  REQUIRE(port.ok());
  std::string reply = ask_tcp(*port, "big.example.test");
  fake.join();
  ::close(up);
  CHECK(net::dns_id(reply) == 0x5151);
  CHECK(answers(reply) == std::vector<std::string>{"192.0.2.55"});
  dns.stop();
}
