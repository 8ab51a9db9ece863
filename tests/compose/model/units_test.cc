#include "compose/model/units.h"

#include <doctest/doctest.h>

namespace compose::model {

TEST_CASE("units: durations parse Go syntax and print like Go") {
  CHECK(parse_duration("1m30s") == 90'000'000'000LL);
  CHECK(parse_duration("500ms") == 500'000'000LL);
  CHECK(parse_duration("1.5h") == 5'400'000'000'000LL);
  CHECK(parse_duration("10us") == 10'000LL);
  CHECK(parse_duration("30") == 30'000'000'000LL);
  CHECK(parse_duration("0") == 0);
  CHECK_FALSE(parse_duration("soon").has_value());
  CHECK_FALSE(parse_duration("1x").has_value());
  CHECK_FALSE(parse_duration("").has_value());
  CHECK(format_duration(90'000'000'000LL) == "1m30s");
  CHECK(format_duration(500'000'000LL) == "500ms");
  CHECK(format_duration(3'600'000'000'000LL) == "1h0m0s");
  CHECK(format_duration(1'500'000'000LL) == "1.5s");
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(1500) == "1.5\xC2\xB5s");
  CHECK(format_duration(42) == "42ns");
}

TEST_CASE("units: byte sizes use binary multiples") {
  CHECK(parse_bytes("512m") == 536870912);
  CHECK(parse_bytes("1g") == 1073741824);
  CHECK(parse_bytes("1GB") == 1073741824);
  CHECK(parse_bytes("100k") == 102400);
  CHECK(parse_bytes("2048") == 2048);
  CHECK(parse_bytes("1.5k") == 1536);
  CHECK(parse_bytes("10b") == 10);
  CHECK_FALSE(parse_bytes("12zb").has_value());
  CHECK_FALSE(parse_bytes("m").has_value());
}

}  // namespace compose::model
