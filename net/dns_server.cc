#include "net/dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "engine/base/log.h"
#include "engine/base/strings.h"
#include "net/dns_message.h"
#include "net/etc_files.h"

namespace net {

namespace b = engine::base;
using Clock = std::chrono::steady_clock;

struct DnsServer::Pending {
  uint16_t client_id = 0;
  sockaddr_in client{};
  std::string network_id;
  Clock::time_point deadline;
};

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

sockaddr_in make_sa(Ipv4 ip, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(ip.v);
  return sa;
}

}  // namespace

std::vector<std::string> upstreams_from_resolv_conf(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& s : parse_resolv_conf(text).nameservers)
    if (parse_ipv4(s)) out.push_back(s);
  return out;
}

DnsServer::DnsServer(DnsServerOptions opts) : opts_(std::move(opts)) {
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  upstream_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_.get();
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
  ev.data.fd = upstream_.get();
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, upstream_.get(), &ev);
  for (const auto& u : opts_.upstreams) {
    auto colon = u.find(':');
    auto ip = parse_ipv4(u.substr(0, colon));
    int port = colon == std::string::npos ? 53 : std::atoi(u.c_str() + colon + 1);
    if (ip && port > 0 && port < 65536) upstream_addrs_.emplace_back(*ip, port);
  }
}

DnsServer::~DnsServer() { stop(); }

b::Status DnsServer::start() {
  std::lock_guard lk(mu_);
  if (running_) return {};
  if (!epoll_ || !wake_ || !upstream_) return b::internal("start embedded DNS: create epoll/eventfd/socket");
  running_ = true;
  thread_ = std::thread([this] { loop(); });
  return {};
}

void DnsServer::stop() {
  {
    std::lock_guard lk(mu_);
    if (!running_) return;
    running_ = false;
  }
  uint64_t one = 1;
  ssize_t w = ::write(wake_.get(), &one, sizeof one);
  (void)w;
  thread_.join();
  std::unique_lock lk(mu_);
  tcp_done_.wait(lk, [&] { return tcp_workers_ == 0; });
}

b::Result<int> DnsServer::add_listener(const std::string& network_id, Ipv4 ip, int port) {
  b::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return b::sys_error("create DNS socket");
  int one = 1;
  // The bridge address may not be configured yet (reconcile order); bind anyway.
  ::setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  sockaddr_in sa = make_sa(ip, port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return b::sys_error("bind embedded DNS to " + to_string(ip) + ":" + std::to_string(port));
  socklen_t sl = sizeof sa;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &sl);
  int bound = ntohs(sa.sin_port);
  b::UniqueFd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!tcp) return b::sys_error("create DNS TCP socket");
  ::setsockopt(tcp.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  ::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sa.sin_port = htons(uint16_t(bound));
  if (::bind(tcp.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(tcp.get(), 64) != 0)
    return b::sys_error("bind embedded DNS (TCP) to " + to_string(ip) + ":" + std::to_string(bound));
  remove_listener(network_id);
  std::lock_guard lk(mu_);
  Network& n = networks_[network_id];
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) return b::sys_error("watch DNS socket");
  ev.data.fd = tcp.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, tcp.get(), &ev) != 0) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd.get(), nullptr);
    return b::sys_error("watch DNS TCP socket");
  }
  fd_network_[fd.get()] = network_id;
  tcp_fd_network_[tcp.get()] = network_id;
  n.fd = std::move(fd);
  n.tcp_fd = std::move(tcp);
  return bound;
}

void DnsServer::remove_listener(const std::string& network_id) {
  std::lock_guard lk(mu_);
  auto it = networks_.find(network_id);
  if (it == networks_.end()) return;
  for (auto* fd : {&it->second.fd, &it->second.tcp_fd}) {
    if (!*fd) continue;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd->get(), nullptr);
    fd_network_.erase(fd->get());
    tcp_fd_network_.erase(fd->get());
    fd->reset();
  }
}

void DnsServer::register_endpoint(const std::string& network_id, const std::string& container_id,
                                  const std::vector<std::string>& names, Ipv4 ip) {
  std::lock_guard lk(mu_);
  Network& n = networks_[network_id];
  Endpoint& e = n.endpoints[container_id];
  e.names.clear();
  for (const auto& name : names)
    if (!name.empty()) e.names.push_back(lower(name));
  e.ip = ip;
  rebuild_names(n);
}

void DnsServer::unregister_endpoint(const std::string& network_id, const std::string& container_id) {
  std::lock_guard lk(mu_);
  auto it = networks_.find(network_id);
  if (it == networks_.end()) return;
  it->second.endpoints.erase(container_id);
  rebuild_names(it->second);
}

void DnsServer::remove_network(const std::string& network_id) {
  remove_listener(network_id);
  std::lock_guard lk(mu_);
  networks_.erase(network_id);
}

void DnsServer::rebuild_names(Network& n) {
  n.names.clear();
  for (const auto& [id, e] : n.endpoints)
    for (const auto& name : e.names) {
      auto& v = n.names[name];
      if (std::find(v.begin(), v.end(), e.ip) == v.end()) v.push_back(e.ip);
    }
  std::erase_if(n.rotation, [&](const auto& kv) { return n.names.count(kv.first) == 0; });
}

std::vector<Ipv4> DnsServer::resolve_locked(Network& n, const std::string& name) {
  auto it = n.names.find(name);
  if (it == n.names.end()) return {};
  std::vector<Ipv4> v = it->second;
  uint32_t r = n.rotation[name]++;
  if (!v.empty()) std::rotate(v.begin(), v.begin() + (r % v.size()), v.end());
  return v;
}

std::vector<Ipv4> DnsServer::resolve(const std::string& network_id, const std::string& name) {
  std::lock_guard lk(mu_);
  auto it = networks_.find(network_id);
  if (it == networks_.end()) return {};
  return resolve_locked(it->second, lower(name));
}

size_t DnsServer::name_count() const {
  std::lock_guard lk(mu_);
  size_t c = 0;
  for (const auto& [id, n] : networks_) c += n.names.size();
  return c;
}

void DnsServer::loop() {
  epoll_event evs[64];
  while (true) {
    int n = ::epoll_wait(epoll_.get(), evs, 64, 500);
    {
      std::lock_guard lk(mu_);
      if (!running_) return;
    }
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == wake_.get()) {
        uint64_t v;
        ssize_t r = ::read(wake_.get(), &v, sizeof v);
        (void)r;
      } else if (fd == upstream_.get()) {
        serve_upstream();
      } else {
        bool tcp = false;
        {
          std::lock_guard lk(mu_);
          tcp = tcp_fd_network_.count(fd) != 0;
        }
        if (tcp) accept_tcp(fd);
        else serve_listener(fd);
      }
    }
    expire_pending();
  }
}

std::optional<std::string> DnsServer::local_answer(Network& net, const DnsQuery& q) {
  bool known = net.names.count(q.name) != 0;
  if (known && q.qtype == kDnsTypeA) return build_dns_response(q, kRcodeNoError, resolve_locked(net, q.name), opts_.ttl);
  if (known) return build_dns_response(q, kRcodeNoError, {}, opts_.ttl);
  if (upstream_addrs_.empty()) return build_dns_response(q, kRcodeServFail, {});
  return std::nullopt;
}

void DnsServer::serve_listener(int fd) {
  char buf[4096];
  std::lock_guard lk(mu_);
  auto nit = fd_network_.find(fd);
  if (nit == fd_network_.end()) return;
  Network& net = networks_[nit->second];
  for (int batch = 0; batch < 256; ++batch) {
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ssize_t len = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (len < 0) return;
    std::string_view pkt(buf, size_t(len));
    auto q = parse_dns_query(pkt);
    if (!q) continue;
    std::string reply;
    if (auto local = local_answer(net, *q)) {
      reply = std::move(*local);
    } else {
      // Forward with an id of our own; the reply is matched back in serve_upstream().
      uint16_t id = next_id_;
      for (int tries = 0; tries < 65536 && (id == 0 || pending_.count(id)); ++tries) ++id;
      if (pending_.count(id)) {
        reply = build_dns_response(*q, kRcodeServFail, {});
      } else {
        next_id_ = uint16_t(id + 1);
        auto p = std::make_unique<Pending>();
        p->client_id = q->id;
        p->client = from;
        p->network_id = nit->second;
        p->deadline = Clock::now() + std::chrono::milliseconds(opts_.forward_timeout_ms);
        std::string out(pkt);
        set_dns_id(out, id);
        sockaddr_in up = make_sa(upstream_addrs_[0].first, upstream_addrs_[0].second);
        if (::sendto(upstream_.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&up), sizeof up) >= 0)
          pending_[id] = std::move(p);
        else
          reply = build_dns_response(*q, kRcodeServFail, {});
      }
    }
    if (!reply.empty())
      ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), sizeof from);
  }
}

void DnsServer::serve_upstream() {
  char buf[4096];
  std::lock_guard lk(mu_);
  while (true) {
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ssize_t len = ::recvfrom(upstream_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (len < 0) return;
    bool from_upstream = false;
    for (const auto& [ip, port] : upstream_addrs_)
      if (from.sin_addr.s_addr == htonl(ip.v) && from.sin_port == htons(uint16_t(port))) from_upstream = true;
    if (!from_upstream) continue;
    std::string reply(buf, size_t(len));
    auto it = pending_.find(dns_id(reply));
    if (it == pending_.end()) continue;
    auto p = std::move(it->second);
    pending_.erase(it);
    auto nit = networks_.find(p->network_id);
    if (nit == networks_.end() || !nit->second.fd) continue;
    set_dns_id(reply, p->client_id);
    ::sendto(nit->second.fd.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&p->client),
             sizeof p->client);
  }
}

void DnsServer::expire_pending() {
  std::lock_guard lk(mu_);
  auto now = Clock::now();
  std::erase_if(pending_, [&](const auto& kv) { return kv.second->deadline < now; });
}

}  // namespace net
