// DNS over TCP for the embedded server (RFC 7766): clients retry there after a truncated
// UDP answer. One short-lived thread per connection; local names are answered from the
// network's table, other names are relayed over TCP to the first upstream resolver.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "engine/base/scope_exit.h"
#include "engine/base/unique_fd.h"
#include "net/dns_message.h"
#include "net/dns_server.h"

namespace net {

namespace b = engine::base;

namespace {

constexpr int kTimeoutMs = 3000;

bool read_exact(int fd, char* buf, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = ::read(fd, buf + off, n - off);
    if (r <= 0) return false;
    off += size_t(r);
  }
  return true;
}

bool write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (w <= 0) return false;
    off += size_t(w);
  }
  return true;
}

/// Reads one length-prefixed DNS message; "" on EOF, timeout or error.
std::string read_message(int fd) {
  unsigned char len[2];
  if (!read_exact(fd, reinterpret_cast<char*>(len), 2)) return {};
  std::string msg(size_t(len[0]) << 8 | len[1], '\0');
  if (msg.empty() || !read_exact(fd, msg.data(), msg.size())) return {};
  return msg;
}

std::string framed(const std::string& msg) {
  std::string out;
  out.push_back(char(msg.size() >> 8));
  out.push_back(char(msg.size() & 0xff));
  return out + msg;
}

void set_timeouts(int fd) {
  timeval tv{kTimeoutMs / 1000, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/// Sends msg to ip:port over TCP and returns the answer ("" on failure).
std::string forward_tcp(Ipv4 ip, int port, const std::string& msg) {
  b::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return {};
  set_timeouts(fd.get());
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(ip.v);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return {};
  if (!write_all(fd.get(), framed(msg))) return {};
  return read_message(fd.get());
}

}  // namespace

void DnsServer::accept_tcp(int listen_fd) {
  std::string network_id;
  {
    std::lock_guard lk(mu_);
    auto it = tcp_fd_network_.find(listen_fd);
    if (it == tcp_fd_network_.end()) return;
    network_id = it->second;
  }
  while (true) {
    int conn = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    {
      std::lock_guard lk(mu_);
      ++tcp_workers_;
    }
    std::thread(&DnsServer::serve_tcp, this, conn, network_id).detach();
  }
}

void DnsServer::serve_tcp(int conn, std::string network_id) {
  b::ScopeExit done([&] {
    ::close(conn);
    std::lock_guard lk(mu_);
    --tcp_workers_;
    tcp_done_.notify_all();
  });
  set_timeouts(conn);
  for (int i = 0; i < 16; ++i) {  // a client may send several queries on one connection
    std::string msg = read_message(conn);
    auto q = parse_dns_query(msg);
    if (!q) return;
    std::optional<std::string> reply;
    {
      std::lock_guard lk(mu_);
      auto it = networks_.find(network_id);
      if (it == networks_.end()) return;
      reply = local_answer(it->second, *q);
    }
    if (!reply) {
      reply = forward_tcp(upstream_addrs_[0].first, upstream_addrs_[0].second, msg);
      if (reply->empty()) reply = build_dns_response(*q, kRcodeServFail, {});
    }
    if (!write_all(conn, framed(*reply))) return;
  }
}

}  // namespace net
