#include "net/ipam.h"

#include <doctest/doctest.h>

using net::parse_cidr;
using net::parse_ipv4;

TEST_CASE("ipam: default pool starts at 172.17.0.0/16 and skips ranges in use") {
  auto pool = net::default_pool();
  auto first = net::choose_subnet(pool, {});
  REQUIRE(first.ok());
  CHECK(net::to_string(*first) == "172.17.0.0/16");
  // Another engine's bridge (docker0) and a host route inside 172.18/16 are both skipped.
  auto next = net::choose_subnet(pool, {*parse_cidr("172.17.0.0/16"), *parse_cidr("172.18.5.0/24")});
  REQUIRE(next.ok());
  CHECK(net::to_string(*next) == "172.19.0.0/16");
  // A broad route covering all of 172.16/12 moves us to 192.168.x/20.
  auto v = net::choose_subnet(pool, {*parse_cidr("172.16.0.0/12"), *parse_cidr("192.168.0.0/24")});
  REQUIRE(v.ok());
  CHECK(net::to_string(*v) == "192.168.16.0/20");
}

TEST_CASE("ipam: exhausted pool is Unavailable") {
  auto e = net::parse_pool_entry("10.9.0.0/23:24");
  REQUIRE(e.ok());
  auto r = net::choose_subnet({*e}, {*parse_cidr("10.9.0.0/24"), *parse_cidr("10.9.1.0/24")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == engine::base::Code::Unavailable);
  CHECK(net::choose_subnet({*e}, {*parse_cidr("10.9.0.0/24")}).value().addr == *parse_ipv4("10.9.1.0"));
  CHECK_FALSE(net::parse_pool_entry("10.9.0.0/23:8").ok());
}

TEST_CASE("ipam: addresses skip network, gateway and broadcast, round-robin") {
  net::AddressPool p(*parse_cidr("10.0.0.0/29"), *parse_ipv4("10.0.0.1"));
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(net::to_string(*p.allocate()));
  CHECK(got == std::vector<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"});
  CHECK_FALSE(p.allocate().ok());
  p.release(*parse_ipv4("10.0.0.3"));
  CHECK(net::to_string(*p.allocate()) == "10.0.0.3");
}

TEST_CASE("ipam: a freed address is not reused before the others") {
  net::AddressPool p(*parse_cidr("10.0.0.0/24"), *parse_ipv4("10.0.0.1"));
  auto a = *p.allocate();
  p.release(a);
  CHECK(net::to_string(*p.allocate()) == "10.0.0.3");
  // Restored state (marks + cursor) continues where it was.
  net::AddressPool q(*parse_cidr("10.0.0.0/24"), *parse_ipv4("10.0.0.1"));
  q.mark(*parse_ipv4("10.0.0.3"));
  q.set_cursor(p.cursor());
  CHECK(net::to_string(*q.allocate()) == "10.0.0.4");
}

TEST_CASE("ipam: static addresses are checked") {
  net::AddressPool p(*parse_cidr("10.0.0.0/24"), *parse_ipv4("10.0.0.1"), *parse_cidr("10.0.0.128/25"));
  CHECK(net::to_string(*p.allocate(*parse_ipv4("10.0.0.50"))) == "10.0.0.50");
  CHECK(p.allocate(*parse_ipv4("10.0.0.50")).error().message == "address 10.0.0.50 is already in use");
  CHECK(p.allocate(*parse_ipv4("10.0.1.5")).error().message == "address 10.0.1.5 is not in subnet 10.0.0.0/24");
  CHECK(p.allocate(*parse_ipv4("10.0.0.1")).error().message == "address 10.0.0.1 is reserved in subnet 10.0.0.0/24");
  // Dynamic addresses come from ip_range only.
  CHECK(net::to_string(*p.allocate()) == "10.0.0.129");
}
