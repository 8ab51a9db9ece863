#include "compose/load/merge.h"

#include <doctest/doctest.h>

#include "compose/load/parse.h"

namespace compose::load {
namespace {

nlohmann::json merged(const std::string& base, const std::string& over) {
  auto b = parse_yaml(base, "base.yaml");
  auto o = parse_yaml(over, "over.yaml");
  REQUIRE(b.ok());
  REQUIRE(o.ok());
  Node root = (*b)[0];
  merge_projects(root, (*o)[0]);
  drop_reset(root);
  return to_json(root)["services"]["web"];
}

}  // namespace

TEST_CASE("merge: mappings merge and later scalars win") {
  auto j = merged("services: {web: {image: a, restart: always, build: {context: ., target: x}}}",
                  "services: {web: {image: b, build: {target: y}}}");
  CHECK(j == nlohmann::json{{"image", "b"}, {"restart", "always"}, {"build", {{"context", "."}, {"target", "y"}}}});
}

TEST_CASE("merge: command, entrypoint and healthcheck.test are replaced") {
  auto j = merged("services: {web: {command: [a, b], entrypoint: [x], healthcheck: {test: [CMD, a], retries: 3}}}",
                  "services: {web: {command: [c], entrypoint: y, healthcheck: {test: [CMD, b]}}}");
  CHECK(j["command"] == nlohmann::json{"c"});
  CHECK(j["entrypoint"] == "y");
  CHECK(j["healthcheck"] == nlohmann::json{{"test", {"CMD", "b"}}, {"retries", 3}});
}

TEST_CASE("merge: environment and labels merge by key across list and map forms") {
  auto j = merged("services: {web: {environment: [A=1, B=2], labels: {x: '1'}}}",
                  "services: {web: {environment: {B: '3', C: '4'}, labels: [y=2]}}");
  CHECK(j["environment"] == nlohmann::json{{"A", "1"}, {"B", "3"}, {"C", "4"}});
  CHECK(j["labels"] == nlohmann::json{{"x", "1"}, {"y", "2"}});
}

TEST_CASE("merge: ports, expose and dns are appended without duplicates") {
  auto j = merged("services: {web: {ports: ['80:80', '443:443'], dns: [1.1.1.1], expose: [1]}}",
                  "services: {web: {ports: ['80:80', '8080:8080'], dns: [1.1.1.1, 8.8.8.8], expose: [2]}}");
  CHECK(j["ports"] == nlohmann::json{"80:80", "443:443", "8080:8080"});
  CHECK(j["dns"] == nlohmann::json{"1.1.1.1", "8.8.8.8"});
  CHECK(j["expose"] == nlohmann::json{1, 2});
}

TEST_CASE("merge: dns and env_file given as one string are appended to like lists") {
  auto j = merged("services: {web: {dns: 1.1.1.1, env_file: a.env}}",
                  "services: {web: {dns: [8.8.8.8], env_file: b.env}}");
  CHECK(j["dns"] == nlohmann::json{"1.1.1.1", "8.8.8.8"});
  CHECK(j["env_file"] == nlohmann::json{"a.env", "b.env"});
}

TEST_CASE("merge: volumes, secrets and configs merge by target") {
  auto j = merged(
      "services: {web: {volumes: ['./a:/data', 'logs:/logs'], secrets: [s1, {source: s2, target: t}]}}",
      "services: {web: {volumes: ['./b:/data:ro', {type: tmpfs, target: /tmp}], secrets: [{source: s3, target: t}]}}");
  CHECK(j["volumes"] ==
        nlohmann::json{"./b:/data:ro", "logs:/logs", {{"type", "tmpfs"}, {"target", "/tmp"}}});
  CHECK(j["secrets"] == nlohmann::json{"s1", {{"source", "s3"}, {"target", "t"}}});
}

TEST_CASE("merge: depends_on and networks merge by name") {
  auto j = merged("services: {web: {depends_on: [db], networks: [front]}}",
                  "services: {web: {depends_on: {cache: {condition: service_healthy}}, networks: {back: {aliases: [b]}}}}");
  CHECK(j["depends_on"] == nlohmann::json{{"db", nullptr}, {"cache", {{"condition", "service_healthy"}}}});
  CHECK(j["networks"] == nlohmann::json{{"front", nullptr}, {"back", {{"aliases", {"b"}}}}});
}

TEST_CASE("merge: !reset removes and !override replaces") {
  auto j = merged("services: {web: {ports: ['80:80'], environment: {A: '1'}, image: x}}",
                  "services: {web: {ports: !reset [], environment: !override {B: '2'}}}");
  CHECK(j == nlohmann::json{{"environment", {{"B", "2"}}}, {"image", "x"}});
}

TEST_CASE("merge: build string and mapping combine, logging with another driver is replaced") {
  auto j = merged("services: {web: {build: ./app, logging: {driver: json-file, options: {max-size: 1m}}}}",
                  "services: {web: {build: {target: prod}, logging: {driver: syslog}}}");
  CHECK(j["build"] == nlohmann::json{{"context", "./app"}, {"target", "prod"}});
  CHECK(j["logging"] == nlohmann::json{{"driver", "syslog"}});
}

}  // namespace compose::load
