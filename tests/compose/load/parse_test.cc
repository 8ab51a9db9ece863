#include "compose/load/parse.h"

#include <doctest/doctest.h>

namespace compose::load {
namespace {

Node parse_one(const std::string& text) {
  auto r = parse_yaml(text, "compose.yaml");
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  REQUIRE(r->size() == 1);
  return (*r)[0];
}

std::string parse_error(const std::string& text, const ParseLimits& limits = {}) {
  auto r = parse_yaml(text, "compose.yaml", limits);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("parse: every node keeps file, line and column") {
  Node root = parse_one("services:\n  web:\n    image: nginx\n    ports:\n      - 80\n");
  const Node* web = root.find("services")->find("web");
  CHECK(web->find("image")->mark.str() == "compose.yaml:3:12");
  CHECK(web->find("ports")->items[0].mark.str() == "compose.yaml:5:9");
  CHECK(root.find("services")->entries[0].key_mark.str() == "compose.yaml:2:3");
}

TEST_CASE("parse: plain scalars are typed, quoted ones stay strings") {
  Node root = parse_one("a: 1\nb: '1'\nc: true\nd: \"true\"\ne: null\nf: ~\ng:\nh: 1.5\ni: 0x1F\nj: yes\n");
  CHECK(to_json(root) == nlohmann::json{{"a", 1}, {"b", "1"}, {"c", true}, {"d", "true"}, {"e", nullptr},
                                        {"f", nullptr}, {"g", nullptr}, {"h", 1.5}, {"i", 31}, {"j", "yes"}});
}

TEST_CASE("parse: anchors, aliases and merge keys") {
  Node root = parse_one(R"(
x-common: &common
  restart: always
  environment: {A: "1"}
services:
  web:
    <<: *common
    image: nginx
    restart: "no"
  db:
    <<: [*common]
    image: postgres
    labels: *common
)");
  nlohmann::json j = to_json(root);
  CHECK(j["services"]["web"] ==
        nlohmann::json{{"image", "nginx"}, {"restart", "no"}, {"environment", {{"A", "1"}}}});
  CHECK(j["services"]["db"]["restart"] == "always");
  CHECK(j["services"]["db"]["labels"]["restart"] == "always");
}

TEST_CASE("parse: !reset and !override tags are recorded") {
  Node root = parse_one("ports: !reset []\ncommand: !override [a]\n");
  CHECK(root.find("ports")->tag == Tag::Reset);
  CHECK(root.find("command")->tag == Tag::Override);
  CHECK(parse_error("a: !custom x\n") == "compose.yaml:1:4: unsupported tag !custom");
}

TEST_CASE("parse: syntax errors carry the location") {
  CHECK(parse_error("services:\n  web:\n    image: [unclosed\n") ==
        "compose.yaml:4:1: end of sequence flow not found");
  CHECK(parse_error("services:\n  web:\n    image: x\n   bad: 1\n") ==
        "compose.yaml:4:4: end of map not found");
  CHECK(parse_error("a: 1\na: 2\n") == "compose.yaml:2:1: duplicate key \"a\" (first at line 1)");
  std::string big;  // more keys than the scanned size: the set-based check
  for (int i = 0; i < 40; ++i) big += "k" + std::to_string(i) + ": 1\n";
  CHECK(parse_error(big + "k3: 2\n") == "compose.yaml:41:1: duplicate key \"k3\" (first at line 4)");
  CHECK(parse_error(big + "k39: 2\n") == "compose.yaml:41:1: duplicate key \"k39\" (first at line 40)");
  CHECK(parse_error("a: *nope\n") == "compose.yaml:1:4: the referenced anchor is not defined");
}

TEST_CASE("parse: an alias bomb is refused, not expanded") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + prev;
    bomb += "]\n";
    prev = c;
  }
  std::string err = parse_error(bomb);
  CHECK(err.find("alias bomb refused") != std::string::npos);
}

TEST_CASE("parse: nesting depth is bounded") {
  ParseLimits limits;
  limits.max_depth = 10;
  std::string deep(20, '[');
  CHECK(parse_error(deep + std::string(20, ']'), limits) == "compose.yaml:1:11: nesting deeper than 10 levels");
}

TEST_CASE("parse: several documents and an empty file") {
  auto r = parse_yaml("a: 1\n---\nb: 2\n", "f.yaml");
  REQUIRE(r.ok());
  CHECK(r->size() == 2);
  auto empty = parse_yaml("", "f.yaml");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

}  // namespace compose::load

namespace compose::load {

TEST_CASE("parse: invalid UTF-8 is refused with its location") {
  CHECK(parse_error("a: ok\nb: \xC3\xA9t\xC3\n") == "compose.yaml:2:6: invalid UTF-8");
  CHECK(parse_error("a: \xED\xA0\x80\n") == "compose.yaml:1:4: invalid UTF-8");
  CHECK(parse_yaml("a: \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\xB3\n", "f").ok());
}

}  // namespace compose::load
