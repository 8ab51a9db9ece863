#include "engine/build/run_step.h"

#include <doctest/doctest.h>

using engine::build::take_utf8;

TEST_CASE("run output: whole UTF-8 sequences only, split ones carried, invalid bytes replaced") {
  std::string p = "ok \xC3";  // "é" split after its first byte
  CHECK(take_utf8(p, false) == "ok ");
  CHECK(p == "\xC3");
  p += "\xA9 \xE2\x82";  // the rest of "é", then "€" split
  CHECK(take_utf8(p, false) == "\xC3\xA9 ");
  CHECK(p == "\xE2\x82");
  p += "\xAC\n";
  CHECK(take_utf8(p, false) == "\xE2\x82\xAC\n");
  CHECK(p.empty());
  p = "a\xFF" "b\xC0\xAF" "c\xED\xA0\x80";  // invalid byte, overlong, surrogate
  CHECK(take_utf8(p, false) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  p = "end \xF0\x9F";  // a 4-byte sequence cut off for good
  CHECK(take_utf8(p, true) == "end \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(p.empty());
}
