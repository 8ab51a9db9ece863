// docker cp's argument rules: which side is a container, and the pairs it refuses.
#include <doctest/doctest.h>

#include "cli/copy.h"

using cli::check_copy_args;
using cli::CopyEndpoint;
using cli::parse_copy_arg;

TEST_CASE("parse_copy_arg splits CONTAINER:PATH as docker does") {
  CopyEndpoint c = parse_copy_arg("web:/etc/hosts");
  CHECK(c.container == "web");
  CHECK(c.path == "/etc/hosts");
  CHECK(parse_copy_arg("web:relative/x").path == "relative/x");
  CHECK(parse_copy_arg("/abs/with:colon").container.empty());
  CHECK(parse_copy_arg("./file:name.txt").container.empty());
  CHECK(parse_copy_arg("./file:name.txt").path == "./file:name.txt");
  CHECK(parse_copy_arg("plain.txt").container.empty());
  CHECK(parse_copy_arg("-").stdio());
  CHECK_FALSE(parse_copy_arg("web:-").stdio());
}

TEST_CASE("check_copy_args wants exactly one container side") {
  CHECK(check_copy_args(parse_copy_arg("web:/a"), parse_copy_arg("b")).ok());
  CHECK(check_copy_args(parse_copy_arg("-"), parse_copy_arg("web:/tmp")).ok());
  auto both = check_copy_args(parse_copy_arg("a:/x"), parse_copy_arg("b:/y"));
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().message == "copying between containers is not supported");
  auto none = check_copy_args(parse_copy_arg("x"), parse_copy_arg("y"));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "must specify at least one container source");
  CHECK_FALSE(check_copy_args(parse_copy_arg("web:"), parse_copy_arg("y")).ok());
}
