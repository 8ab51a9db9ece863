// to_yaml writes the block layout itself and must match yaml-cpp's emitter byte for
// byte (so `compose config` output does not change); yaml-cpp is the oracle here.
#include "compose/model/yaml_emit.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include <yaml-cpp/yaml.h>

#include "compose/load/node.h"
#include "compose/load/parse.h"

namespace compose::model {
namespace {

using nlohmann::json;

/// yaml-cpp's emitter driven the way to_yaml documents its output.
void reference(YAML::Emitter& out, const json& j, bool top) {
  if (j.is_object()) {
    if (j.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    std::vector<std::string> keys;
    static const char* kFirst[] = {"name", "services", "networks", "volumes", "secrets", "configs"};
    if (top)
      for (const char* k : kFirst)
        if (j.contains(k)) keys.push_back(k);
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!top || std::find(std::begin(kFirst), std::end(kFirst), it.key()) == std::end(kFirst))
        keys.push_back(it.key());
    out << YAML::BeginMap;
    for (const std::string& k : keys) {
      out << YAML::Key << k << YAML::Value;
      reference(out, j.at(k), false);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    if (j.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& v : j) reference(out, v, false);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (looks_typed(s)) out << YAML::DoubleQuoted;
    out << s;
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else if (j.is_null()) {
    out << YAML::Null;
  } else if (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>() &&
             std::fabs(j.get<double>()) < 1e15) {
    out << static_cast<long long>(j.get<double>());
  } else {
    out << j.dump();
  }
}

std::string oracle(const json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  reference(out, j, j.is_object());
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

/// Strings that make yaml-cpp quote, escape or choose between plain and quoted.
const std::vector<std::string> kTricky = {
    "", "~", "null", "Null", "true", "yes", "no", "on", "8000", "0.5", "-1", "1e3", "0x1f", "127.0.0.1", "1:2",
    "-", "-a", "- a", "?", "?a", "? a", ":", ":a", ": a", "a:", "a:b", "a: b", "a #b", "a#b", "#a", "a ", " a",
    "a  b", "tab\tx", "new\nline", "cr\rx", "quote\"s", "'single'", "back\\slash", "\xc3\xbcnic\xc3\xb6" "de",
    "\x01ctl", "\x7f", "\xc2\x85nel", "\xc2\xa0nbsp", "\xef\xbb\xbf" "bom", "@x", "`x", "%x", "!x", "&x", "*x",
    "|x", ">x", ",x", "x,y", "[x", "x]", "{x", "x}", "http://h:80/p?q=1#f", "CMD-SHELL", "curl -f http://x || exit 1",
    "${VAR}", "$$", "a\\b\"c", "emoji \xf0\x9f\x90\xb3", "trailing:", "k=v", "a=", "=", "/abs/path", "./rel",
    "~/home", ".hidden", "_u", "x-ext", "<<", "=x", "---", "...", "--- x", "... x", "-.5", "a:b:c", "?:", "a?",
    "%TAG", "-- x", "a - b", "a: b: c", "0o17", "+1", ".5", "1_000", "12:30", "Y", "n"};

json tricky_document() {
  json services = json::object();
  for (size_t i = 0; i < kTricky.size(); ++i) {
    const std::string& s = kTricky[i];
    services["svc" + std::to_string(i)] = {
        {"image", s},
        {s.empty() ? "empty" : s, s},
        {"command", json::array({s, "x", json::array({s}), json::array(), json::object()})},
        {"environment", json{{"A", s}, {"B", nullptr}}},
        {"ports", json::array({json{{"target", 80}, {"published", s}}, json::object()})},
        {"nested", json::array({json::array({1, json::array({2.5, true})}), nullptr, false})}};
  }
  return json{{"x-last", json::array()}, {"name", "demo"}, {"volumes", json::object()}, {"services", services},
              {"networks", json{{"n", nullptr}}}, {"cpus", 0.5}, {"big", 1e20}, {"whole", 3.0}};
}

/// The writers on a Node tree must print what they print for its JSON copy.
void check_tree_like_json(const load::Node& n) {
  json j = load::to_json(n);
  CHECK(load::to_yaml_text(n) == to_yaml(j));
  CHECK(load::to_json_text(n) == j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

const char* kTreeDoc = R"(
x-last: []
version: "3"
services:
  web:
    image: "nginx:1.25"
    command: [sh, -c, "echo 'hi' && sleep 1", '', "8000", 8000, 0x1f, 0o17, 010, 019,
              1e3, .5, -1.25, 1_000, +7, .inf, -.Inf, .nan, 9223372036854775808, -0, 0.0, 1.5e300]
    environment:
      B: ~
      A: null
      C: true
      D: "true"
      E: False
      F: yes
      G:
      H: ""
      "key with: colon": 'single # quoted'
      "8080": x
      Ü: ünïcödé 🐳
    labels: {}
    ports:
      - target: 80
        published: "8080"
        extra: [[1, [2.5, true]], {}, [], {a: {b: [c, {d: e}]}}]
      - {}
    healthcheck:
      test: |
        curl -f http://localhost/ || exit 1
        second line
      folded: >
        one
        two
      keep: |+
        tail

      tabs: "a\tb\x01c\u00e9"
  db: {image: postgres}
name: tricky
networks:
  default:
)";

}  // namespace

TEST_CASE("yaml_emit: a Node tree prints byte for byte like its JSON copy") {
  auto docs = load::parse_yaml(kTreeDoc, "tree.yaml");
  REQUIRE(docs);
  check_tree_like_json(docs->at(0));
  // Built by hand: strings the parser would type or refuse, duplicate keys (the last
  // wins, as in to_json), invalid UTF-8, and a mapping big enough to print in halves.
  load::Node big = load::Node::map();
  for (size_t i = 0; i < kTricky.size(); ++i) {
    const std::string& s = kTricky[i];
    load::Node svc = load::Node::map();
    svc.entries.push_back({s, {}, load::Node::plain(s)});
    svc.entries.push_back({"q", {}, load::Node::str(s)});
    svc.entries.push_back({"p", {}, load::Node::plain(s)});
    svc.entries.push_back({"q", {}, load::Node::plain("dup" + s)});
    big.entries.push_back({"svc" + std::to_string(i), {}, std::move(svc)});
    big.entries.push_back({"svc" + std::to_string(i + 300), {}, load::Node::plain(s)});
    big.entries.push_back({"svc" + std::to_string(i + 600), {}, load::Node::str(s)});
  }
  big.entries.push_back({"svc1", {}, load::Node::str("bad \xff\xfe utf8")});
  REQUIRE(big.entries.size() >= detail::kSplitEntries);
  load::Node root = load::Node::map();
  root.set("services", std::move(big));
  root.set("name", load::Node::str("demo"));
  root.set("a", load::Node::seq());
  check_tree_like_json(root);
  for (const load::Node& n : {load::Node::null(), load::Node::plain("8000"), load::Node::str("8000"), load::Node::seq(),
                              load::Node::map(), load::Node::plain("")})
    check_tree_like_json(n);
}

TEST_CASE("yaml_emit: byte-identical to yaml-cpp's emitter on tricky strings and shapes") {
  json doc = tricky_document();
  CHECK(to_yaml(doc) == oracle(doc));
  for (const json& j : {json::object(), json::array(), json("8000"), json("plain"), json(nullptr), json(2),
                        json::array({json::array({1, 2}), json::object({{"a", json::array({json::object()})}})})})
    CHECK(to_yaml(j) == oracle(j));
}

TEST_CASE("yaml_emit: byte-identical to yaml-cpp's emitter on random strings") {
  std::mt19937 rng(7);
  const std::string alphabet = std::string("ab0 :#-?'\"\\,[]{}&*!|>%@`~.\t\n=$/") + "\xc3\xa9" + "\xc2\xa0";
  json doc = json::object();
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    size_t len = rng() % 7;
    for (size_t k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    // Keep random cuts of multi-byte characters out: they are not valid UTF-8.
    bool valid = true;
    for (size_t k = 0; k < s.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(s[k]);
      if (c == 0xc3 || c == 0xc2) valid = valid && k + 1 < s.size() && (static_cast<unsigned char>(s[k + 1]) & 0xc0) == 0x80;
      else if ((c & 0xc0) == 0x80) valid = valid && k > 0 && (static_cast<unsigned char>(s[k - 1]) == 0xc3 || static_cast<unsigned char>(s[k - 1]) == 0xc2);
    }
    if (!valid) continue;
    doc["k" + std::to_string(i) + s] = json::array({s, json{{s, s}}});
  }
  std::string mine = to_yaml(doc), theirs = oracle(doc);
  CHECK(mine.size() == theirs.size());
  CHECK(mine == theirs);
}

}  // namespace compose::model
