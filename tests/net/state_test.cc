#include "net/state.h"

#include <doctest/doctest.h>

#include "tests/support/test_util.h"

TEST_CASE("state: networks and endpoints round-trip through JSON files") {
  test::TempDir dir;
  net::NetworkRecord r;
  r.info.spec.id = "abc123";
  r.info.spec.name = "front";
  r.info.spec.subnet = "10.5.0.0/24";
  r.info.spec.gateway = "10.5.0.1";
  r.info.spec.internal = true;
  r.info.spec.labels = {{"com.docker.compose.project", "demo"}};
  r.info.bridge = "br-abc123";
  r.info.created_ns = 42;
  r.ipam_cursor = 0x0a050003;
  net::EndpointRecord e;
  e.info.network_id = "abc123";
  e.info.container_id = "c1";
  e.info.ipv4 = "10.5.0.3";
  e.info.prefix_len = 24;
  e.info.dns_names = {"web", "alias"};
  e.host_veth = "vb0011223344";
  e.netns_path = "/run/berth/netns/c1";
  e.default_route = false;
  r.endpoints["c1"] = e;
  r.draining.push_back(net::DrainingLink{"c0", "vb5566778899", "10.5.0.2", 77});
  REQUIRE(net::save_network(dir.path(), r).ok());
  auto all = net::load_networks(dir.path());
  REQUIRE(all.count("abc123") == 1);
  const auto& got = all["abc123"];
  CHECK(got.info.spec.name == "front");
  CHECK(got.info.spec.internal);
  CHECK(got.info.spec.labels == r.info.spec.labels);
  CHECK(got.info.created_ns == 42);
  CHECK(got.ipam_cursor == 0x0a050003u);
  REQUIRE(got.endpoints.count("c1") == 1);
  CHECK(got.endpoints.at("c1").info.dns_names == std::vector<std::string>{"web", "alias"});
  CHECK(got.endpoints.at("c1").host_veth == "vb0011223344");
  CHECK_FALSE(got.endpoints.at("c1").default_route);
  REQUIRE(got.draining.size() == 1);
  CHECK(got.draining[0].container_id == "c0");
  CHECK(got.draining[0].host_veth == "vb5566778899");
  CHECK(got.draining[0].ipv4 == "10.5.0.2");
  CHECK(got.draining[0].ifindex == 77);
  REQUIRE(net::delete_network_file(dir.path(), "abc123").ok());
  CHECK(net::load_networks(dir.path()).empty());
}

TEST_CASE("state: ports round-trip and an empty list removes the file") {
  test::TempDir dir;
  net::PortRecord p;
  p.container_ip = "10.5.0.3";
  p.binding.host_ip = "127.0.0.1";
  p.binding.host_port = 8080;
  p.binding.container_port = 80;
  p.binding.proto = "udp";
  REQUIRE(net::save_ports(dir.path(), "c1", {p}).ok());
  auto all = net::load_ports(dir.path());
  REQUIRE(all["c1"].size() == 1);
  CHECK(all["c1"][0].binding.host_port == 8080);
  CHECK(all["c1"][0].binding.proto == "udp");
  CHECK(all["c1"][0].container_ip == "10.5.0.3");
  REQUIRE(net::save_ports(dir.path(), "c1", {}).ok());
  CHECK(net::load_ports(dir.path()).empty());
}
