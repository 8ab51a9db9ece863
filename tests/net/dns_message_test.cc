#include "net/dns_message.h"

#include <doctest/doctest.h>

TEST_CASE("dns_message: query round trip, lowercased name") {
  std::string q = net::build_dns_query(0x1234, "Web.Stack");
  auto p = net::parse_dns_query(q);
  REQUIRE(p.has_value());
  CHECK(p->id == 0x1234);
  CHECK(p->name == "web.stack");
  CHECK(p->qtype == net::kDnsTypeA);
  CHECK(p->qclass == 1);
  CHECK(p->question.size() == q.size() - 12);
}

TEST_CASE("dns_message: response carries every answer and copies RD") {
  auto q = *net::parse_dns_query(net::build_dns_query(7, "db"));
  std::vector<net::Ipv4> ips = {*net::parse_ipv4("10.0.0.2"), *net::parse_ipv4("10.0.0.3")};
  std::string r = net::build_dns_response(q, net::kRcodeNoError, ips, 600);
  CHECK(net::dns_id(r) == 7);
  CHECK((uint8_t(r[2]) & 0x81) == 0x81);  // QR and RD
  uint8_t rcode = 99;
  CHECK(net::parse_dns_answers(r, &rcode) == ips);
  CHECK(rcode == 0);
  std::string nx = net::build_dns_response(q, net::kRcodeNxDomain, {});
  CHECK(net::parse_dns_answers(nx, &rcode).empty());
  CHECK(rcode == 3);
}

TEST_CASE("dns_message: answers are trimmed to 512 bytes") {
  auto q = *net::parse_dns_query(net::build_dns_query(1, "many"));
  std::vector<net::Ipv4> ips(100, *net::parse_ipv4("10.0.0.2"));
  std::string r = net::build_dns_response(q, 0, ips);
  CHECK(r.size() <= 512);
  CHECK(net::parse_dns_answers(r).size() == (512 - 12 - q.question.size()) / 16);
}

TEST_CASE("dns_message: malformed packets and responses are rejected") {
  CHECK_FALSE(net::parse_dns_query("short").has_value());
  std::string q = net::build_dns_query(1, "x");
  std::string truncated = q.substr(0, q.size() - 3);
  CHECK_FALSE(net::parse_dns_query(truncated).has_value());
  std::string resp = q;
  resp[2] = char(uint8_t(resp[2]) | 0x80);
  CHECK_FALSE(net::parse_dns_query(resp).has_value());
  std::string bad_label = q;
  bad_label[12] = char(70);  // label longer than the packet
  CHECK_FALSE(net::parse_dns_query(bad_label).has_value());
  net::set_dns_id(q, 0xbeef);
  CHECK(net::dns_id(q) == 0xbeef);
}
