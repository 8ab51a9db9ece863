#include "engine/api/filters.h"

#include <doctest/doctest.h>

using engine::api::Filters;

TEST_CASE("filters: map and list forms parse, unknown names are refused") {
  auto f = Filters::parse(R"({"label":{"com.docker.compose.project=demo":true},"name":["web"]})");
  REQUIRE(f);
  CHECK(f->values("label") == std::vector<std::string>{"com.docker.compose.project=demo"});
  CHECK(f->match_substring("name", "demo-web-1"));
  CHECK_FALSE(f->match_substring("name", "demo-db-1"));
  CHECK(f->match_labels({{"com.docker.compose.project", "demo"}}));
  CHECK_FALSE(f->match_labels({{"com.docker.compose.project", "other"}}));
  auto bad = Filters::parse(R"({"colour":{"red":true}})", {"label", "name"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "invalid filter 'colour'");
  CHECK_FALSE(Filters::parse("not json"));
  CHECK(Filters::parse("")->empty());
}

TEST_CASE("filters: a bare label key matches any value") {
  Filters f;
  f.add("label", "tier");
  CHECK(f.match_labels({{"tier", "db"}}));
  CHECK_FALSE(f.match_labels({{"other", "x"}}));
}
