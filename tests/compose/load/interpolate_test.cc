#include "compose/load/interpolate.h"

#include <doctest/doctest.h>

#include "compose/load/parse.h"
#include "compose/model/parallel.h"

namespace compose::load {
namespace {

Environment test_env() {
  return Environment::from_map({{"FOO", "foo"}, {"EMPTY", ""}, {"B", "bee"}, {"N", "80"}});
}

std::string interp(const std::string& s) {
  auto r = interpolate_string(s, test_env());
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

std::string interp_error(const std::string& s) {
  auto r = interpolate_string(s, test_env());
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("interpolate: the substitution table") {
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"plain", "plain"},
      {"$FOO", "foo"},
      {"${FOO}", "foo"},
      {"a-${FOO}-b", "a-foo-b"},
      {"$FOO$B", "foobee"},
      {"${UNSET}", ""},
      {"$UNSET", ""},
      {"${UNSET:-def}", "def"},
      {"${EMPTY:-def}", "def"},
      {"${EMPTY-def}", ""},
      {"${UNSET-def}", "def"},
      {"${FOO:-def}", "foo"},
      {"${FOO:+alt}", "alt"},
      {"${EMPTY:+alt}", ""},
      {"${EMPTY+alt}", "alt"},
      {"${UNSET+alt}", ""},
      {"${FOO:?must}", "foo"},
      {"${EMPTY?must}", ""},
      {"${UNSET:-${B:-x}}", "bee"},
      {"${UNSET:-${ALSO_UNSET:-x}}", "x"},
      {"${UNSET:-a ${FOO} b}", "a foo b"},
      {"$$FOO", "$FOO"},
      {"$${FOO}", "${FOO}"},
      {"cost: $$5", "cost: $5"},
      {"${N}:${N}", "80:80"},
      {"${UNSET:-}", ""},
      {"${UNSET:-{}}", "{}"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.in);
    CHECK(interp(r.in) == r.out);
  }
}

TEST_CASE("interpolate: required and malformed expressions are errors") {
  CHECK(interp_error("${UNSET:?set UNSET please}") == "required variable UNSET is missing a value: set UNSET please");
  CHECK(interp_error("${EMPTY:?}") == "required variable EMPTY is missing a value");
  CHECK(interp_error("${UNSET?}") == "required variable UNSET is missing a value");
  CHECK(interp_error("${FOO") == "invalid interpolation format for \"${FOO\": missing closing brace");
  CHECK(interp_error("${}") == "invalid interpolation format for \"${}\"");
  CHECK(interp_error("${1abc}") == "invalid interpolation format for \"${1abc}\"");
  CHECK(interp_error("${FOO!x}") == "invalid interpolation format for \"${FOO!x}\"");
  CHECK(interp_error("price $5") == "invalid interpolation format for \"price $5\": a lone $ must be written $$");
  CHECK(interp_error("end$") == "invalid interpolation format for \"end$\": a lone $ must be written $$");
}

TEST_CASE("interpolate: values only, never keys, with locations in errors") {
  auto docs = parse_yaml("services:\n  ${FOO}:\n    image: ${FOO}\n    command: ${BAD\n", "compose.yaml");
  REQUIRE(docs.ok());
  Diagnostics diags;
  interpolate_tree((*docs)[0], test_env(), diags);
  const Node* services = (*docs)[0].find("services");
  REQUIRE(services->find("${FOO}"));
  CHECK(services->find("${FOO}")->get_text("image") == "foo");
  CHECK(diags.str() ==
        "compose.yaml:4:14: services.${FOO}.command: invalid interpolation format for \"${BAD\": missing closing brace");
}

TEST_CASE("interpolate: a plain scalar is retyped after substitution, a quoted one stays a string") {
  auto docs = parse_yaml("a: ${N}\nb: \"${N}\"\n", "c.yaml");
  REQUIRE(docs.ok());
  Diagnostics diags;
  interpolate_tree((*docs)[0], test_env(), diags);
  CHECK(to_json((*docs)[0]) == nlohmann::json{{"a", 80}, {"b", "80"}});
}

TEST_CASE("interpolate: a big project split over two threads gives the whole walk's tree and errors") {
  std::string text = "name: ${FOO}\nservices:\n";
  for (int i = 0; i < 200; ++i) {
    std::string n = std::to_string(i);
    text += "  s" + n + ":\n    image: img${B}" + n + "\n    environment:\n      - A=${N:-1}\n      - B=$$x\n";
    if (i == 3 || i == 150) text += "    command: ${BAD" + n + "\n";
    if (i == 199) text += "    user: ${NEED:?must be set}\n";
    if (i == 10 || i == 180) text += "    hostname: h$UNSET" + n + "\n";
  }
  text += "x-tail: ${EMPTY:-tail}\n";
  auto split = parse_yaml(text, "big.yaml");
  auto whole = parse_yaml(text, "big.yaml");
  REQUIRE_MESSAGE(split.ok(), split.error().message);
  REQUIRE(whole.ok());
  Diagnostics split_diags, whole_diags;
  std::set<std::string> split_unset, whole_unset;
  interpolate_tree((*split)[0], test_env(), split_diags, &split_unset);
  // Inside one half of a run_both nothing splits again: this is the one-thread walk.
  model::run_both([&] { interpolate_tree((*whole)[0], test_env(), whole_diags, &whole_unset); }, [] {});
  CHECK(split_unset == std::set<std::string>{"UNSET10", "UNSET180"});
  CHECK(split_unset == whole_unset);
  CHECK(to_json((*split)[0]) == to_json((*whole)[0]));
  CHECK(split_diags.str() == whole_diags.str());
  CHECK(split_diags.str().find("services.s150.command") != std::string::npos);
  CHECK(split_diags.str().find("services.s199.user: required variable NEED is missing a value: must be set") !=
        std::string::npos);
  CHECK(to_json((*split)[0])["x-tail"] == "tail");
  CHECK(to_json((*split)[0])["services"]["s120"]["image"] == "imgbee120");
}

}  // namespace compose::load
