#include "engine/build/dockerignore.h"

#include <doctest/doctest.h>

using engine::build::IgnoreRules;

TEST_CASE("dockerignore: patterns, directories and exceptions") {
  auto r = IgnoreRules::parse("# comment\n\n*.log\n/build\n**/*.tmp\nsecret*\n!secret.keep\n ./docs/*.md \n");
  CHECK(r.ignored("a.log"));
  CHECK_FALSE(r.ignored("dir/a.log"));  // "*.log" is anchored at the context root
  CHECK(r.ignored("build"));
  CHECK(r.ignored("build/out/x.o"));
  CHECK(r.ignored("x.tmp"));
  CHECK(r.ignored("deep/er/x.tmp"));
  CHECK(r.ignored("secret.txt"));
  CHECK_FALSE(r.ignored("secret.keep"));
  CHECK(r.ignored("docs/readme.md"));
  CHECK_FALSE(r.ignored("docs/readme.txt"));
  CHECK_FALSE(r.ignored("src/main.cc"));
  CHECK_FALSE(IgnoreRules::parse("").ignored("anything"));
}
