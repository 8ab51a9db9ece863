#include "engine/image/config.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace engine::image;

TEST_CASE("config: Docker image config parses and round-trips") {
  const char* text = R"({
    "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
    "config": {
      "User": "app", "Env": ["PATH=/bin", "A=1"], "Entrypoint": ["/entry"], "Cmd": ["serve", "--port", "80"],
      "WorkingDir": "/srv", "ExposedPorts": {"8080/tcp": {}, "53/udp": {}}, "Volumes": {"/data": {}},
      "Labels": {"b": "2", "a": "1"}, "StopSignal": "SIGQUIT",
      "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 1000000000, "Retries": 3}
    },
    "rootfs": {"type": "layers", "diff_ids": ["sha256:)" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" R"("]},
    "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "ADD rootfs"}, {"created_by": "CMD", "empty_layer": true}]
  })";
  auto c = parse_image_config(text);
  REQUIRE(c);
  CHECK(c->config.user == "app");
  CHECK(c->config.env == std::vector<std::string>{"PATH=/bin", "A=1"});
  CHECK(*c->config.entrypoint == std::vector<std::string>{"/entry"});
  CHECK(c->config.cmd->size() == 3);
  CHECK(c->config.exposed_ports == std::vector<std::string>{"53/udp", "8080/tcp"});
  CHECK(c->config.volumes == std::vector<std::string>{"/data"});
  CHECK(c->config.labels.at("a") == "1");
  CHECK(c->config.stop_signal == "SIGQUIT");
  REQUIRE(c->config.healthcheck);
  CHECK(c->config.healthcheck->interval_ns == 1000000000);
  CHECK(c->config.healthcheck->retries == 3);
  CHECK(c->diff_ids.size() == 1);
  CHECK(c->history.size() == 2);
  CHECK(c->history[1].empty_layer);
  auto again = parse_image_config(image_config_to_json(*c));
  REQUIRE(again);
  CHECK(image_config_to_json(*again) == image_config_to_json(*c));
  CHECK_FALSE(c->config.entrypoint->empty());
}

TEST_CASE("config: null Cmd stays unset / missing rootfs is an error") {
  auto c = parse_image_config(R"({"config": {"Cmd": null}, "rootfs": {"type": "layers", "diff_ids": []}})");
  REQUIRE(c);
  CHECK_FALSE(c->config.cmd.has_value());
  auto bad = parse_image_config(R"({"config": {}})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "image config: missing rootfs");
}

#include "engine/image/inspect.h"

TEST_CASE("inspect: Docker API shapes for list / inspect / history and rmi") {
  Image img;
  img.id = sha256_of("cfg");
  img.repo_tags = {"busybox:latest"};
  img.config.created = "2024-01-02T03:04:05Z";
  img.config.config.cmd = std::vector<std::string>{"sh"};
  img.config.diff_ids = {sha256_of("layer")};
  img.created_ns = 1704164645000000000;
  img.size = 42;
  nlohmann::json s = image_summary_json(img);
  CHECK(s["Id"] == img.id.str());
  CHECK(s["Created"] == 1704164645);
  CHECK(s["RepoDigests"] == nlohmann::json({"<none>@<none>"}));
  nlohmann::json i = image_inspect_json(img, {"/l/top", "/l/bottom"});
  CHECK(i["Config"]["Cmd"] == nlohmann::json({"sh"}));
  CHECK(i["Config"]["Entrypoint"].is_null());
  CHECK(i["RootFS"]["Layers"][0] == sha256_of("layer").str());
  CHECK(i["GraphDriver"]["Data"]["LowerDir"] == "/l/top:/l/bottom");
  CHECK(i["Created"] == "2024-01-02T03:04:05Z");
  nlohmann::json r = removed_json({{"busybox:latest", ""}, {"", img.id.str()}});
  CHECK(r.dump() == R"([{"Untagged":"busybox:latest"},{"Deleted":")" + img.id.str() + R"("}])");
}
