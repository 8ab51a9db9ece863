#include "schema/validator.h"

#include <doctest/doctest.h>

namespace schema {
namespace {

using nlohmann::json;

std::string errors(const json& doc) {
  std::string out;
  for (const Violation& v : validate_compose(doc)) out += format_path(doc, v.path) + ": " + v.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("schema: the embedded text is our JSON schema") {
  json s = json::parse(compose_schema_text());
  CHECK(s["$schema"] == "http://json-schema.org/draft-07/schema#");
  CHECK(s["definitions"].contains("service"));
}

TEST_CASE("schema: short and long syntaxes are both accepted") {
  json doc = json::parse(R"({
    "version": "3.8", "name": "x", "x-any": [1],
    "services": {
      "web": {"image": "nginx", "ports": [80, "8080:80", {"target": 80, "published": "81"}],
              "volumes": ["./a:/a", {"type": "bind", "source": ".", "target": "/b"}],
              "environment": ["A=1"], "depends_on": ["db"], "networks": ["n"], "x-ext": {}},
      "db": {"image": "pg", "environment": {"A": 1, "B": null, "C": true},
             "depends_on": {"web": {"condition": "service_started"}}, "networks": {"n": {"aliases": ["d"]}},
             "healthcheck": {"test": "true", "interval": "10s"}, "deploy": {"replicas": 2}}
    },
    "networks": {"n": null, "e": {"external": true}},
    "volumes": {"v": {}}, "secrets": {"s": {"file": "./s"}}, "configs": {"c": {"content": "x"}}
  })");
  CHECK(errors(doc) == "");
}

TEST_CASE("schema: unknown keys, wrong types and bad enums are reported with their path") {
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "prots": []}}})")) ==
        "services.web.prots: unknown key \"prots\"\n");
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "privileged": "yes"}}})")) ==
        "services.web.privileged: a string is not allowed here\n");
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "restart": "sometimes"}}})")) ==
        "services.web.restart: invalid value \"sometimes\"\n");
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "ports": [{"published": 80}]}}})")) ==
        "services.web.ports[0]: missing required property \"target\"\n");
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "cap_add": ["A", "A"]}}})")) ==
        "services.web.cap_add: items must be unique\n");
  CHECK(errors(json::parse(R"({"volumes": {"v": {"driver": "local", "size": 1}}})")) ==
        "volumes.v.size: unknown key \"size\"\n");
}

TEST_CASE("schema: every unknown key of a mapping is reported, not only the first") {
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x", "portz": [], "zz": 1, "aa": 2, "x-ok": 3}},
                               "bogus": 1, "x-top": 2})")) ==
        "bogus: unknown key \"bogus\"\n"
        "services.web.aa: unknown key \"aa\"\n"
        "services.web.portz: unknown key \"portz\"\n"
        "services.web.zz: unknown key \"zz\"\n");
}

TEST_CASE("schema: unknown keys inside oneOf branches, list items and nested objects") {
  CHECK(errors(json::parse(R"({"services": {"web": {"image": "x",
      "depends_on": {"db": {"condition": "service_started", "when": 1, "why": 2}},
      "networks": {"n": {"aliases": ["a"], "alias": "b"}},
      "ports": [{"target": 80, "publish": 81}],
      "volumes": [{"type": "bind", "source": ".", "target": "/a", "bind": {"propagation": "rshared", "mode": 1}}],
      "deploy": {"resources": {"limits": {"memory": "1g", "cpu": 1}}},
      "ulimits": {"nofile": {"soft": 1, "hard": 2, "max": 3}}}}})")) ==
        "services.web.depends_on.db.when: unknown key \"when\"\n"
        "services.web.depends_on.db.why: unknown key \"why\"\n"
        "services.web.deploy.resources.limits.cpu: unknown key \"cpu\"\n"
        "services.web.networks.n.alias: unknown key \"alias\"\n"
        "services.web.ports[0].publish: unknown key \"publish\"\n"
        "services.web.ulimits.nofile.max: unknown key \"max\"\n"
        "services.web.volumes[0].bind.mode: unknown key \"mode\"\n");
}

}  // namespace schema
