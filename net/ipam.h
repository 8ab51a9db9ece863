#pragma once
/// IPAM: picking a subnet from a pool that avoids ranges already in use, and handing out
/// addresses inside one network. Pure (routes in use are passed in), so fully unit-tested.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "net/ipv4.h"

namespace net {

/// A pool range split into subnets of `size` bits ("172.18.0.0/15:16" → two /16s).
struct PoolEntry {
  Cidr base;
  int size = 16;
};

/// Docker's default local pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s.
std::vector<PoolEntry> default_pool();
/// Parses "10.10.0.0/16" (one subnet) or "10.10.0.0/16:24" (split into /24s).
engine::base::Result<PoolEntry> parse_pool_entry(const std::string& s);

/// First pool subnet, in pool order, that overlaps none of `in_use` (host routes and
/// existing networks). Unavailable when the pool is exhausted.
engine::base::Result<Cidr> choose_subnet(const std::vector<PoolEntry>& pool, const std::vector<Cidr>& in_use);

/// Addresses of one network. Hands out addresses round-robin from a cursor so a freed
/// address is not reused right away; network, broadcast and gateway are never handed out.
class AddressPool {
 public:
  /// range: where dynamic addresses come from (defaults to the subnet).
  AddressPool(Cidr subnet, Ipv4 gateway, std::optional<Cidr> range = std::nullopt);

  /// A specific address (static ipv4_address) or, if nullopt, the next free one.
  engine::base::Result<Ipv4> allocate(std::optional<Ipv4> wanted = std::nullopt);
  /// Marks an address as used (restoring persisted state).
  void mark(Ipv4 a) { used_.insert(a.v); }
  void release(Ipv4 a) { used_.erase(a.v); }
  bool in_use(Ipv4 a) const { return used_.count(a.v) != 0; }
  uint32_t cursor() const { return cursor_; }
  void set_cursor(uint32_t c) { cursor_ = c; }
  const Cidr& subnet() const { return subnet_; }
  Ipv4 gateway() const { return gateway_; }

 private:
  bool reserved(Ipv4 a) const;
  Cidr subnet_;
  Ipv4 gateway_;
  Cidr range_;
  std::set<uint32_t> used_;
  uint32_t cursor_ = 0;  ///< last address handed out
};

}  // namespace net
