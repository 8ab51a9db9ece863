#include "net/ipam.h"

#include <charconv>

namespace net {

using engine::base::invalid;
using engine::base::make_error;
using engine::base::Code;
using engine::base::Result;

std::vector<PoolEntry> default_pool() {
  std::vector<PoolEntry> p;
  for (int second = 17; second <= 31; ++second) p.push_back({Cidr{Ipv4{(172u << 24) | (uint32_t(second) << 16)}, 16}, 16});
  p.push_back({Cidr{Ipv4{(192u << 24) | (168u << 16)}, 16}, 20});
  return p;
}

Result<PoolEntry> parse_pool_entry(const std::string& s) {
  auto colon = s.find(':');
  auto base = parse_cidr(s.substr(0, colon));
  if (!base) return base.take_error().wrap("subnet pool");
  PoolEntry e{*base, base->prefix};
  if (colon != std::string::npos) {
    std::string sz = s.substr(colon + 1);
    auto [p, ec] = std::from_chars(sz.data(), sz.data() + sz.size(), e.size);
    if (ec != std::errc() || p != sz.data() + sz.size() || e.size < base->prefix || e.size > 30)
      return invalid("subnet pool \"" + s + "\": bad subnet size");
  }
  return e;
}

Result<Cidr> choose_subnet(const std::vector<PoolEntry>& pool, const std::vector<Cidr>& in_use) {
  for (const auto& e : pool) {
    uint64_t count = uint64_t(1) << (e.size - e.base.prefix);
    uint64_t step = uint64_t(1) << (32 - e.size);
    for (uint64_t i = 0; i < count; ++i) {
      Cidr c{Ipv4{uint32_t(e.base.network().v + i * step)}, e.size};
      bool clash = false;
      for (const auto& u : in_use)
        if (c.overlaps(u)) { clash = true; break; }
      if (!clash) return c;
    }
  }
  return make_error(Code::Unavailable, "allocate subnet: all subnets of the address pool overlap networks or routes in use");
}

AddressPool::AddressPool(Cidr subnet, Ipv4 gateway, std::optional<Cidr> range)
    : subnet_(subnet), gateway_(gateway), range_(range.value_or(subnet)) {
  cursor_ = range_.network().v;
}

bool AddressPool::reserved(Ipv4 a) const {
  if (a == gateway_) return true;
  if (subnet_.prefix <= 30 && (a == subnet_.network() || a == subnet_.broadcast())) return true;
  return false;
}

Result<Ipv4> AddressPool::allocate(std::optional<Ipv4> wanted) {
  if (wanted) {
    if (!subnet_.contains(*wanted))
      return invalid("address " + to_string(*wanted) + " is not in subnet " + to_string(subnet_));
    if (reserved(*wanted)) return invalid("address " + to_string(*wanted) + " is reserved in subnet " + to_string(subnet_));
    if (in_use(*wanted)) return make_error(Code::AlreadyExists, "address " + to_string(*wanted) + " is already in use");
    used_.insert(wanted->v);
    return *wanted;
  }
  uint32_t first = range_.network().v, last = range_.broadcast().v;
  uint64_t n = uint64_t(last) - first + 1;
  uint32_t c = cursor_ < first || cursor_ > last ? first : cursor_;
  for (uint64_t i = 0; i < n; ++i) {
    c = c >= last ? first : c + 1;
    Ipv4 a{c};
    if (reserved(a) || in_use(a)) continue;
    used_.insert(c);
    cursor_ = c;
    return a;
  }
  return make_error(Code::Unavailable, "allocate address: no free address left in " + to_string(range_));
}

}  // namespace net
