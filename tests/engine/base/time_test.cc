#include "engine/base/time.h"

#include <doctest/doctest.h>

using namespace engine::base;

TEST_CASE("time: RFC 3339 with nanoseconds round-trips") {
  int64_t ns = 1795847400123456789LL;
  std::string s = format_rfc3339_nano(ns);
  CHECK(s == "2026-11-28T06:30:00.123456789Z");
  auto back = parse_rfc3339(s);
  REQUIRE(back);
  CHECK(*back == ns);
  auto off = parse_rfc3339("2026-11-28T07:30:00+01:00");
  REQUIRE(off);
  CHECK(*off == 1795847400000000000LL);
  CHECK_FALSE(parse_rfc3339("2026-11-28 nonsense"));
  CHECK(format_docker_time(0) == "0001-01-01T00:00:00Z");
}

TEST_CASE("time: Go durations") {
  CHECK(*parse_duration("1m30s") == 90'000'000'000LL);
  CHECK(*parse_duration("500ms") == 500'000'000LL);
  CHECK(*parse_duration("1.5s") == 1'500'000'000LL);
  CHECK(*parse_duration("2h") == 7'200'000'000'000LL);
  CHECK(*parse_duration("0") == 0);
  CHECK_FALSE(parse_duration("10"));
  CHECK_FALSE(parse_duration("1x"));
  CHECK(parse_duration("abc").error().message == "invalid duration \"abc\"");
}

TEST_CASE("time: human durations as docker ps prints them") {
  CHECK(human_duration(500'000'000) == "Less than a second");
  CHECK(human_duration(5'000'000'000LL) == "5 seconds");
  CHECK(human_duration(65'000'000'000LL) == "About a minute");
  CHECK(human_duration(600'000'000'000LL) == "10 minutes");
}
