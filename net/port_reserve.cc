#include "net/port_reserve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace net {

namespace b = engine::base;

b::Result<ReservedPort> reserve_port(const std::string& proto, const std::string& host_ip, int port) {
  if (proto != "tcp" && proto != "udp") return b::invalid("unsupported protocol \"" + proto + "\"");
  if (port < 0 || port > 65535) return b::invalid("invalid host port " + std::to_string(port));
  std::string ip = host_ip.empty() ? "0.0.0.0" : host_ip;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  if (::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) return b::invalid("invalid host IP \"" + ip + "\"");
  ReservedPort r;
  r.fd.reset(::socket(AF_INET, (proto == "tcp" ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (!r.fd) return b::sys_error("create socket");
  std::string what = ip + ":" + std::to_string(port) + "/" + proto;
  if (::bind(r.fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    if (e == EADDRINUSE)
      return b::make_error(b::Code::AlreadyExists, "bind host port " + what + ": port " + std::to_string(port) +
                                                       " is already in use");
    return b::sys_error("bind host port " + what, e);
  }
  socklen_t len = sizeof sa;
  ::getsockname(r.fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  r.port = ntohs(sa.sin_port);
  return r;
}

}  // namespace net
