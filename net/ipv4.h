#pragma once
/// IPv4 addresses and CIDR prefixes as plain values (host byte order).
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace net {

/// An IPv4 address in host byte order.
struct Ipv4 {
  uint32_t v = 0;
  friend bool operator==(Ipv4, Ipv4) = default;
  friend auto operator<=>(Ipv4, Ipv4) = default;
};

/// A prefix such as 172.18.0.0/16 (addr is normalised to the network address by parse_cidr).
struct Cidr {
  Ipv4 addr;
  int prefix = 0;
  friend bool operator==(const Cidr&, const Cidr&) = default;

  /// Netmask in host order.
  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix); }
  Ipv4 network() const { return {addr.v & mask()}; }
  Ipv4 broadcast() const { return {network().v | ~mask()}; }
  bool contains(Ipv4 a) const { return (a.v & mask()) == network().v; }
  bool overlaps(const Cidr& o) const;
};

/// Parses dotted-quad "10.1.2.3".
engine::base::Result<Ipv4> parse_ipv4(std::string_view s);
/// Parses "10.1.0.0/16"; host bits must be zero unless allow_host_bits.
engine::base::Result<Cidr> parse_cidr(std::string_view s, bool allow_host_bits = false);
std::string to_string(Ipv4 a);
std::string to_string(const Cidr& c);

}  // namespace net
