#include "net/ipv4.h"

#include <arpa/inet.h>

#include <charconv>

namespace net {

using engine::base::invalid;
using engine::base::Result;

bool Cidr::overlaps(const Cidr& o) const {
  int p = prefix < o.prefix ? prefix : o.prefix;
  uint32_t m = p == 0 ? 0 : ~uint32_t(0) << (32 - p);
  return (addr.v & m) == (o.addr.v & m);
}

Result<Ipv4> parse_ipv4(std::string_view s) {
  std::string str(s);
  in_addr a{};
  if (str.empty() || ::inet_pton(AF_INET, str.c_str(), &a) != 1)
    return invalid("invalid IPv4 address \"" + str + "\"");
  return Ipv4{ntohl(a.s_addr)};
}

Result<Cidr> parse_cidr(std::string_view s, bool allow_host_bits) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return invalid("invalid CIDR \"" + std::string(s) + "\": missing /prefix");
  auto ip = parse_ipv4(s.substr(0, slash));
  if (!ip) return invalid("invalid CIDR \"" + std::string(s) + "\": bad address");
  auto ps = s.substr(slash + 1);
  int prefix = -1;
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), prefix);
  if (ec != std::errc() || p != ps.data() + ps.size() || prefix < 0 || prefix > 32)
    return invalid("invalid CIDR \"" + std::string(s) + "\": bad prefix length");
  Cidr c{*ip, prefix};
  if (!allow_host_bits && c.network() != c.addr)
    return invalid("invalid CIDR \"" + std::string(s) + "\": host bits set (did you mean " +
                   to_string(Cidr{c.network(), prefix}) + "?)");
  return c;
}

std::string to_string(Ipv4 a) {
  in_addr n{htonl(a.v)};
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &n, buf, sizeof buf);
  return buf;
}

std::string to_string(const Cidr& c) { return to_string(c.addr) + "/" + std::to_string(c.prefix); }

}  // namespace net
