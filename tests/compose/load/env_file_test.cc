#include "compose/load/env_file.h"

#include <doctest/doctest.h>

#include "compose/load/paths.h"

namespace compose::load {

TEST_CASE("env_file: quotes, export, comments, interpolation and bare names") {
  Environment env = Environment::from_map({{"HOST_VAR", "host"}, {"BARE", "from-shell"}});
  auto r = parse_env_file(R"(# comment
A=1
export B = two
C='single $HOST_VAR'
D="double ${HOST_VAR}\n"
E=unquoted # trailing comment
F=${A}-${HOST_VAR}
G="multi
line"
BARE
MISSING_BARE
EMPTY=
)",
                          "test.env", env);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  EnvPairs want = {{"A", "1"},         {"B", "two"},           {"C", "single $HOST_VAR"}, {"D", "double host\n"},
                   {"E", "unquoted"},  {"F", "1-host"},        {"G", "multi\nline"},      {"BARE", "from-shell"},
                   {"EMPTY", ""}};
  CHECK(*r == want);
}

TEST_CASE("env_file: errors name the file and line") {
  Environment env = Environment::from_map({});
  auto bad = parse_env_file("A=1\nB C=2\n", "x.env", env);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "x.env:2: invalid variable name \"B C\"");
  auto open = parse_env_file("A=\"never closed\n", "x.env", env);
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().message == "x.env:1: unterminated quoted value for A");
}

TEST_CASE("env_file: format raw takes values as written") {
  Environment env = Environment::from_map({{"B", "from-env"}});
  auto r = parse_raw_env_file("# c\nA=\"$B\" # not a comment\r\n  B\nC\nD=x=y\n", "x.env", env);
  REQUIRE(r.ok());
  CHECK(*r == EnvPairs{{"A", "\"$B\" # not a comment"}, {"B", "from-env"}, {"D", "x=y"}});
  CHECK(parse_raw_env_file("A B=1\n", "x.env", env).error().message == "x.env:1: invalid variable name \"A B\"");
}

TEST_CASE("paths: lexical clean, join, dirname and ~") {
  CHECK(clean_path("/a/./b/../c//d/") == "/a/c/d");
  CHECK(clean_path("a/../../b") == "../b");
  CHECK(join_path("/proj", "./data") == "/proj/data");
  CHECK(join_path("/proj", "/abs") == "/abs");
  CHECK(dir_name("/proj/compose.yaml") == "/proj");
  CHECK(dir_name("/compose.yaml") == "/");
  CHECK(base_name("/a/My Project") == "My Project");
  CHECK(absolute_path("/proj", "~/x", "/home/u") == "/home/u/x");
  CHECK(absolute_path("/proj", "../x", "/home/u") == "/x");
}

}  // namespace compose::load
