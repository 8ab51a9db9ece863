#include "net/ipv4.h"

#include <doctest/doctest.h>

TEST_CASE("ipv4: parse and print addresses and prefixes") {
  auto a = net::parse_ipv4("172.18.0.1");
  REQUIRE(a.ok());
  CHECK(a->v == 0xAC120001u);
  CHECK(net::to_string(*a) == "172.18.0.1");
  CHECK_FALSE(net::parse_ipv4("172.18.0").ok());
  CHECK_FALSE(net::parse_ipv4("").ok());
  auto c = net::parse_cidr("10.1.0.0/16");
  REQUIRE(c.ok());
  CHECK(net::to_string(*c) == "10.1.0.0/16");
  CHECK(c->contains(*net::parse_ipv4("10.1.255.255")));
  CHECK_FALSE(c->contains(*net::parse_ipv4("10.2.0.0")));
  CHECK(net::to_string(c->broadcast()) == "10.1.255.255");
}

TEST_CASE("ipv4: CIDR errors name the input") {
  auto c = net::parse_cidr("10.1.0.1/16");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message == "invalid CIDR \"10.1.0.1/16\": host bits set (did you mean 10.1.0.0/16?)");
  CHECK(net::parse_cidr("10.1.0.1/16", true).ok());
  CHECK(net::parse_cidr("10.1.0.0").error().message == "invalid CIDR \"10.1.0.0\": missing /prefix");
  CHECK(net::parse_cidr("10.1.0.0/33").error().message == "invalid CIDR \"10.1.0.0/33\": bad prefix length");
}

TEST_CASE("ipv4: overlap is symmetric and prefix-aware") {
  auto a = *net::parse_cidr("172.16.0.0/12");
  auto b = *net::parse_cidr("172.18.0.0/16");
  auto c = *net::parse_cidr("172.32.0.0/16");
  CHECK(a.overlaps(b));
  CHECK(b.overlaps(a));
  CHECK_FALSE(a.overlaps(c));
  CHECK(net::parse_cidr("0.0.0.0/0")->overlaps(c));
}
