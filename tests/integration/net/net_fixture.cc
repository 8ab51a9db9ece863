#include "tests/integration/net/net_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <doctest/doctest.h>
#include <stdexcept>

#include "net/bridge_attacher.h"
#include "net/dns_message.h"
#include "net/nft_rules.h"

namespace nettest {

namespace {

sockaddr_in addr_of(const std::string& ip, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  ::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  return sa;
}

}  // namespace

FakeResolver::FakeResolver() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa = addr_of("127.0.0.1", 0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("bind fake resolver");
  socklen_t sl = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &sl);
  port_ = ntohs(sa.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) continue;
      char buf[1500];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) continue;
      auto q = net::parse_dns_query(std::string_view(buf, size_t(n)));
      if (!q) continue;
      ++queries_;
      std::string r = q->name == "example.test" && q->qtype == net::kDnsTypeA
                          ? net::build_dns_response(*q, 0, {*net::parse_ipv4("198.51.100.7")})
                          : net::build_dns_response(*q, net::kRcodeNxDomain, {});
      ::sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  });
}

FakeResolver::~FakeResolver() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

Env::Env() {
  opts.state_dir = dir / "state";
  opts.run_dir = dir / "run";
  std::string table = test::unique_name("t");
  for (auto& c : table)
    if (c == '-') c = '_';
  opts.nft_table = table;
  opts.default_bridge = "";
  opts.dns_upstreams = {"127.0.0.1:" + std::to_string(upstream.port())};
  opts.subnet_pool = {"10.213.0.0/16:24"};
  opts.host_resolv_conf = "/dev/null";
  restart();
}

void Env::restart() {
  net.reset();
  if (dns) dns->stop();
  dns = net::make_dns_server(opts);
  REQUIRE(dns->start().ok());
  net = net::make_bridge_network_attacher(opts, dns);
}

Env::~Env() { teardown(); }

void Env::teardown() {
  if (!net) return;
  for (const auto& c : containers) (void)net->unpublish(c);
  if (auto nets = net->list_networks()) {
    for (const auto& n : *nets) {
      for (const auto& e : n.endpoints) (void)net->detach(e.container_id, n.spec.id);
      if (n.spec.driver == "bridge") (void)net->remove_network(n.spec.id);
    }
  }
  for (const auto& c : containers) (void)net->remove_netns(c);
  (void)net::nft_delete_table(opts.nft_table);
  net.reset();
  dns->stop();
}

engine::NetworkInfo Env::network(const std::string& suffix, bool internal) {
  engine::NetworkSpec s;
  s.name = test::unique_name(suffix);
  s.internal = internal;
  auto n = net->create_network(s);
  if (!n) FAIL(n.error().str());
  return *n;
}

std::string Env::netns(const std::string& cid) {
  containers.push_back(cid);
  auto p = net->create_netns(cid);
  if (!p) FAIL(p.error().str());
  return *p;
}

engine::EndpointInfo Env::attach(const std::string& cid, const engine::NetworkInfo& n,
                                 const std::vector<std::string>& names, const std::string& ip) {
  engine::EndpointSpec s;
  s.network_id = n.spec.id;
  s.container_id = cid;
  s.container_name = cid;
  s.netns_path = opts.run_dir + "/netns/" + cid;
  s.dns_names = names;
  s.ipv4 = ip;
  auto e = net->attach(s);
  if (!e) FAIL(e.error().str());
  return *e;
}

int in_netns(const std::string& path, const std::function<int()>& f) {
  int result = -1;
  std::thread t([&] {
    if (!path.empty()) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) return;
      ::close(fd);
    }
    result = f();
  });
  t.join();
  return result;
}

Server::Server(const std::string& netns_path, int port, std::string reply) {
  fd_ = in_netns(netns_path, [port] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa = addr_of("0.0.0.0", port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 16) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  });
  REQUIRE(fd_ >= 0);
  thread_ = std::thread([this, reply] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ssize_t w = ::write(c, reply.data(), reply.size());
      (void)w;
      ::close(c);
    }
  });
}

Server::~Server() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::string tcp_fetch(const std::string& netns_path, const std::string& ip, int port) {
  std::string out;
  in_netns(netns_path, [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in sa = addr_of(ip, port);
    int r = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (r != 0 && errno != EINPROGRESS) {
      out = std::string("ERR:") + std::strerror(errno);
      ::close(fd);
      return 0;
    }
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 2000) != 1) {
      out = "ERR:timeout";
      ::close(fd);
      return 0;
    }
    int err = 0;
    socklen_t el = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
      out = std::string("ERR:") + std::strerror(err);
      ::close(fd);
      return 0;
    }
    p = {fd, POLLIN, 0};
    char buf[256];
    while (::poll(&p, 1, 2000) == 1) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
    ::close(fd);
    return 0;
  });
  return out;
}

std::vector<std::string> dns_query(const std::string& netns_path, const std::string& server, const std::string& name) {
  std::vector<std::string> out;
  in_netns(netns_path, [&] {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa = addr_of(server, 53);
    std::string q = net::build_dns_query(99, name);
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) == 1) {
      char buf[1500];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0)
        for (auto a : net::parse_dns_answers(std::string_view(buf, size_t(n)))) out.push_back(net::to_string(a));
    }
    ::close(fd);
    return 0;
  });
  return out;
}

}  // namespace nettest
