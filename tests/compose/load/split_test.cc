#include "compose/load/split.h"

#include <limits>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include "compose/load/parse.h"
#include "compose/helpers.h"
#include "schema/validator.h"

namespace compose::load {
namespace {

/// Everything the parser records about a tree: kinds, styles, tags, text and locations.
std::string dump(const Node& n) {
  std::string out = std::to_string(static_cast<int>(n.kind)) + std::to_string(static_cast<int>(n.style)) +
                    std::to_string(static_cast<int>(n.tag)) + "@" + n.mark.str() + "{" + n.text;
  for (const Node& i : n.items) out += "[" + dump(i) + "]";
  for (const Entry& e : n.entries) out += "<" + e.key + "@" + e.key_mark.str() + "=" + dump(e.value) + ">";
  return out + "}";
}

/// Parses text whole and split-whenever-possible; both must agree (tree or error text).
std::string same_both_ways(const std::string& text) {
  ParseLimits whole;
  whole.split_min_bytes = std::numeric_limits<size_t>::max();
  ParseLimits split;
  split.split_min_bytes = 0;
  auto a = parse_yaml(text, "compose.yaml", whole);
  auto b = parse_yaml(text, "compose.yaml", split);
  REQUIRE(a.ok() == b.ok());
  if (!a.ok()) {
    CHECK(a.error().message == b.error().message);
    return a.error().message;
  }
  REQUIRE(a->size() == b->size());
  for (size_t i = 0; i < a->size(); ++i) CHECK(dump((*a)[i]) == dump((*b)[i]));
  return "";
}

/// n services in the shape of bench/compose_config/gen.py (anchor, merge key, flow and block nodes).
std::string services(int n, const std::string& extra = "") {
  std::string s = "version: \"3.8\"\nx-common: &common\n  restart: unless-stopped\nservices:\n";
  for (int i = 0; i < n; ++i) {
    s += "  svc" + std::to_string(i) + ":\n    <<: *common\n    image: \"app:" + std::to_string(i) +
         "\"\n    command: [serve, --port, '80']\n    environment:\n      - A=${X:-1}\n    healthcheck:\n"
         "      test: |\n        curl -f http://x/?a=1&b=2\n\n      retries: 3\n";
    if (i == n / 2) s += extra;
  }
  return s + "networks:\n  front: {}\n# end\nvolumes:\n  shared: {}\n";
}

}  // namespace

TEST_CASE("split: a generated file is cut at a service key in the middle") {
  std::string text = services(10);
  auto plan = plan_split(text, 0);
  REQUIRE(plan);
  CHECK(text.substr(0, plan->header_end).ends_with("services:\n"));
  CHECK(plan->header_lines == 4);
  CHECK(text.substr(plan->split, 7) == "  svc5:");
  CHECK_FALSE(plan_split(text, text.size() + 1));
}

TEST_CASE("split: unusual shapes are not cut") {
  auto no_plan = [](const std::string& text) {
    INFO(text);
    CHECK_FALSE(plan_split(text, 0));
  };
  no_plan(services(6, "  <<: *common\n"));             // merge key on the services mapping
  no_plan(services(6, "  \"quoted\":\n    image: a\n"));  // quoted service name
  no_plan("services:\n  a:\n    labels: &l {a: b}\n  b:\n    image: y\n  c:\n    image: z\n");  // anchor in A
  no_plan(services(6, " odd:\n"));                      // a less indented line
  no_plan("---\n" + services(6));                       // document marker
  no_plan(services(6) + "---\nb: 1\n");                 // second document
  no_plan("<<: {a: 1}\n" + services(6));                // top-level merge key
  no_plan("services: &s\n  a:\n    image: x\n  b:\n    image: y\n");
  std::string crlf = services(6);
  for (size_t i = crlf.find('\n'); i != std::string::npos; i = crlf.find('\n', i + 2)) crlf.insert(i, "\r");
  no_plan(crlf);
}

TEST_CASE("split: a split parse gives the tree and locations of a whole parse") {
  CHECK(same_both_ways(services(2)) == "");
  CHECK(same_both_ways(services(9)) == "");
  CHECK(same_both_ways(services(9, "    ports:\n      - \"80:80\"\n    x: !reset null\n")) == "");
  CHECK(same_both_ways("x-a: &a {b: 1}\nservices:\n  s1:\n    <<: *a\n  s2: *a\n  s3:\n    image: x\n") == "");
  CHECK(same_both_ways("services:\n  a:\n    image: x\n  b:\n    image: y\n  c:\n    image: z\n") == "");
}

TEST_CASE("split: errors are the whole parse's errors") {
  // A service named in both halves.
  CHECK(same_both_ways("services:\n  a:\n    image: x\n  b:\n    image: y\n  a:\n    image: z\n").find("duplicate key") !=
        std::string::npos);
  // Errors inside either half, and cuts inside a flow collection or a quoted string.
  CHECK(same_both_ways(services(9, "    bad: [1, 2\n")) != "");
  CHECK(same_both_ways(services(3) + "  oops: *missing\n") != "");
  CHECK(same_both_ways("services:\n  a: [\n  b:\n    image: y\n  c: ]\n") != "");
  CHECK(same_both_ways("services:\n  a: \"x\n  b:\n    image: y\n  c: z\"\n") == "");
  CHECK(same_both_ways("services:\n  a: 'x\n  b:\n    image: y\n  c:\n   z'\n") == "");  // yaml-cpp takes it
  // A multi-line plain scalar as the services value.
  CHECK(same_both_ways("services:\n  a\n  b:\n  c:\n  d\n") != "");
  // The node budget counts both halves.
  ParseLimits small;
  small.split_min_bytes = 0;
  small.max_nodes = 40;
  CHECK_FALSE(parse_yaml(services(4), "compose.yaml", small).ok());
}

TEST_CASE("split: randomly damaged files parse the same split and whole") {
  // Line-level damage around the cut: deleted, repeated and re-indented lines, and
  // characters that open quotes, flows, anchors, aliases, comments and items.
  std::mt19937 rng(11);
  const std::string base = services(8, "    labels: {a: \"x\"}\n");
  const std::string inserts[] = {"'", "\"", "[", "{", "]", "&a ", "*a", "# ", "- ", ": ", "? ", "|", "\t", "<<: ", "!x "};
  int planned = 0;
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> lines;
    for (size_t b = 0; b < base.size();) {
      size_t e = base.find('\n', b);
      lines.push_back(base.substr(b, e - b));
      b = e + 1;
    }
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      size_t i = rng() % lines.size();
      switch (rng() % 4) {
        case 0: lines.erase(lines.begin() + static_cast<long>(i)); break;
        case 1: lines.insert(lines.begin() + static_cast<long>(i), lines[i]); break;
        case 2: lines[i] = std::string(rng() % 3, ' ') + lines[i].substr(std::min<size_t>(lines[i].size(), rng() % 3)); break;
        default: lines[i].insert(rng() % (lines[i].size() + 1), inserts[rng() % std::size(inserts)]); break;
      }
    }
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    INFO(text);
    same_both_ways(text);
    planned += plan_split(text, 0) ? 1 : 0;
  }
  CHECK(planned > 100);  // most damage still lets the file be cut
  MESSAGE(planned);
}

TEST_CASE("split: big projects are validated in halves with the same verdict and messages") {
  CHECK(schema::services_judged_alone());
  std::string bad = services(80, "    prots: [1]\n");  // unknown key in svc40
  size_t at = bad.find("  svc5:\n") + 8;
  bad.insert(at, "    privileged: [1]\n");  // wrong type in svc5
  testing::Fixture f;
  f.file(bad);
  std::string err = f.error();
  CHECK(err.find("services.svc40: unknown key \"prots\"") != std::string::npos);
  CHECK(err.find("services.svc5.privileged: a list is not allowed here") != std::string::npos);
  f.opts.no_interpolate = true;
  err = f.error();
  CHECK(err.find("unknown key \"prots\"") != std::string::npos);
  CHECK(err.find("privileged") == std::string::npos);
  testing::Fixture good;
  good.file(services(80));
  CHECK(good.json()["services"].size() == 80);
}

TEST_CASE("split: big projects are normalized on two threads with every message") {
  std::string text = services(80);
  for (const char* svc : {"  svc70:\n", "  svc3:\n"})
    text.insert(text.find(svc) + std::string(svc).size(), "    mem_limit: 12QB\n");
  testing::Fixture f;
  f.file(text);
  std::string err = f.error();
  CHECK(err.find("services.svc3.mem_limit: invalid size") < err.find("services.svc70.mem_limit: invalid size"));
  CHECK(err.find("services.svc70.mem_limit: invalid size") != std::string::npos);
}

}  // namespace compose::load
