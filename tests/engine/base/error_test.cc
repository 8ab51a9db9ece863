#include "engine/base/error.h"

#include <doctest/doctest.h>

using namespace engine::base;

static Result<int> parse_positive(int v) {
  if (v <= 0) return invalid("value " + std::to_string(v) + " is not positive");
  return v;
}

static Status chain(int v) {
  BERTH_TRY(parse_positive(v));
  return {};
}

TEST_CASE("error: message gains context and renders errno once at the end") {
  Error e = sys_error("write /sys/fs/cgroup/pids/demo/pids.max", EACCES).wrap("start web");
  CHECK(e.code == Code::Internal);
  CHECK(e.str() == "start web: write /sys/fs/cgroup/pids/demo/pids.max: Permission denied");
  CHECK(sys_error("open x", ENOENT).code == Code::NotFound);
}

TEST_CASE("error: Result carries a value or an error, BERTH_TRY propagates") {
  auto ok = parse_positive(3);
  REQUIRE(ok);
  CHECK(*ok == 3);
  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Code::InvalidArgument);
  CHECK(bad.error().str() == "value -1 is not positive");
  CHECK(chain(1).ok());
  Status s = chain(0);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "value 0 is not positive");
}
