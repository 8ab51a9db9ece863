#include "engine/api/request_parse.h"

#include <doctest/doctest.h>

#include "engine/api/body_decode.h"
#include "engine/api/tcp_address.h"

namespace api = engine::api;

TEST_CASE("request parse: version prefix, decoded query and lower-cased headers") {
  api::HttpRequest msg;
  msg.method(boost::beast::http::verb::get);
  msg.target("/v1.41/containers/json?all=1&filters=%7B%22name%22%3A%5B%22a+b%22%5D%7D&flag");
  msg.set("X-Registry-Auth", "abc");
  api::Router::Match m;
  m.api_version = "1.41";
  api::Request r = api::make_request(std::move(msg), m);
  CHECK(r.path == "/containers/json");
  CHECK(r.q("filters") == std::optional<std::string>(R"({"name":["a b"]})"));
  CHECK(r.q("flag") == std::optional<std::string>(""));
  CHECK(r.header("x-registry-auth") == "abc");
  CHECK(api::url_decode("%zz%4") == "%zz%4");
  CHECK(api::target_path("/a/b?c") == "/a/b");
}

TEST_CASE("tcp address: host, port, brackets and defaults") {
  auto a = api::parse_tcp_address("tcp://127.0.0.1:2376", "2375");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == "2376");
  auto b = api::parse_tcp_address("tcp://[::1]", "2375");
  REQUIRE(b);
  CHECK(b->host == "::1");
  CHECK(b->port == "2375");
  CHECK(api::parse_tcp_address("tcp://:2376", "2375")->host.empty());
  auto bad = api::parse_tcp_address("tcp://host:99999", "2375");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "address tcp://host:99999: invalid port \"99999\"");
  CHECK_FALSE(api::parse_tcp_address("unix:///x", "2375"));
}

TEST_CASE("body decode: network and volume create check member types") {
  auto ok = api::network_create_spec(nlohmann::json::parse(
      R"({"Name":"n","Driver":null,"Labels":{"a":"b"},"IPAM":{"Driver":"default","Config":[{"Subnet":"10.1.0.0/24"}]}})"));
  REQUIRE(ok);
  CHECK(ok->driver == "bridge");
  CHECK(ok->subnet == "10.1.0.0/24");
  CHECK(ok->labels.at("a") == "b");
  auto bad = api::network_create_spec(nlohmann::json::parse(R"({"Name":"n","Internal":"yes"})"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "network create: Internal must be a boolean");
  CHECK(api::network_create_spec(nlohmann::json::parse(R"({"Name":"n","IPAM":{"Config":[1]}})")).error().message ==
        "IPAM.Config entries must be objects");
  auto vol = api::volume_create_args(nlohmann::json());
  REQUIRE(vol);
  CHECK(vol->driver == "local");
  CHECK(api::volume_create_args(nlohmann::json::parse(R"({"Name":5})")).error().message ==
        "volume create: Name must be a string");
  CHECK(api::volume_create_args(nlohmann::json::parse(R"({"Labels":{"a":1}})")).error().message == "Labels.a must be a string");
}
