#include "net/nft_rules.h"

#include <doctest/doctest.h>

TEST_CASE("nft_rules: no networks and no ports deletes the table") {
  CHECK(net::render_ruleset("berth", {}, {}) == "add table ip berth\ndelete table ip berth\n");
}

TEST_CASE("nft_rules: full ruleset, sorted, with isolation, internal and published ports") {
  std::vector<net::NftNetwork> nets = {
      {"br-b", *net::parse_cidr("10.2.0.0/24"), true},
      {"br-a", *net::parse_cidr("10.1.0.0/24"), false},
  };
  std::vector<net::NftPort> ports = {
      {"", 8080, "10.1.0.2", 80, "tcp"},
      {"127.0.0.1", 5353, "10.1.0.3", 53, "udp"},
  };
  CHECK(net::render_ruleset("t", nets, ports) ==
        "add table ip t\n"
        "delete table ip t\n"
        "table ip t {\n"
        "  chain publish {\n"
        "    tcp dport 8080 dnat to 10.1.0.2:80\n"
        "    ip daddr 127.0.0.1 udp dport 5353 dnat to 10.1.0.3:53\n"
        "  }\n"
        "  chain prerouting {\n"
        "    type nat hook prerouting priority dstnat; policy accept;\n"
        "    fib daddr type local jump publish\n"
        "  }\n"
        "  chain output {\n"
        "    type nat hook output priority -100; policy accept;\n"
        "    fib daddr type local jump publish\n"
        "  }\n"
        "  chain postrouting {\n"
        "    type nat hook postrouting priority srcnat; policy accept;\n"
        "    oifname \"br-a\" ip saddr 127.0.0.0/8 masquerade\n"
        "    iifname \"br-a\" oifname \"br-a\" ct status dnat masquerade\n"
        "    ip saddr 10.1.0.0/24 oifname != \"br-a\" masquerade\n"
        "    oifname \"br-b\" ip saddr 127.0.0.0/8 masquerade\n"
        "    iifname \"br-b\" oifname \"br-b\" ct status dnat masquerade\n"
        "    ip saddr 10.1.0.2 ip daddr 10.1.0.2 tcp dport 80 masquerade\n"
        "    ip saddr 10.1.0.3 ip daddr 10.1.0.3 udp dport 53 masquerade\n"
        "  }\n"
        "  chain forward {\n"
        "    type filter hook forward priority filter; policy accept;\n"
        "    ct status dnat accept\n"
        "    iifname \"br-a\" oifname { \"br-b\" } drop\n"
        "    iifname \"br-b\" oifname != \"br-b\" drop\n"
        "    oifname \"br-b\" iifname != \"br-b\" drop\n"
        "    iifname \"br-b\" oifname { \"br-a\" } drop\n"
        "  }\n"
        "}\n");
}
