#include "engine/cgroup/cgroup.h"

#include <doctest/doctest.h>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"
#include "tests/engine/cgroup/fake_tree.h"
#include "tests/support/test_util.h"

using engine::base::Code;
using engine::cgroup::Mode;
using engine::cgroup::Resources;

TEST_CASE("cgroup: detect_mode tells v1, hybrid and v2 layouts apart") {
  test::TempDir v1, hybrid, v2, empty;
  test::cgroup::make_v1_root(v1.path());
  test::cgroup::make_v1_root(hybrid.path(), /*hybrid=*/true);
  test::cgroup::make_v2_root(v2.path());
  CHECK(*engine::cgroup::detect_mode(v1.path()) == Mode::V1);
  CHECK(*engine::cgroup::detect_mode(hybrid.path()) == Mode::Hybrid);
  CHECK(*engine::cgroup::detect_mode(v2.path()) == Mode::V2);
  auto none = engine::cgroup::detect_mode(empty.path());
  REQUIRE(!none);
  CHECK(none.error().code == Code::NotFound);
  CHECK(none.error().str() == "detect cgroup layout under " + empty.path() + ": no cgroup v1 or v2 hierarchy");
  CHECK(std::string(engine::cgroup::mode_name(Mode::Hybrid)) == "hybrid");
}

TEST_CASE("cgroup: validate names each impossible value") {
  struct Case {
    Resources r;
    std::string message;
  };
  auto mk = [](auto f) {
    Resources r;
    f(r);
    return r;
  };
  const Case cases[] = {
      {mk([](Resources& r) { r.memory_limit = 1024; }), "memory limit 1024 is below the minimum of 6291456 bytes (6MiB)"},
      {mk([](Resources& r) { r.memory_limit = -2; }), "memory limit -2 is negative"},
      {mk([](Resources& r) { r.memory_swap = 1 << 30; }), "memory swap 1073741824 needs a memory limit as well"},
      {mk([](Resources& r) { r.memory_limit = 64 << 20, r.memory_swap = 32 << 20; }),
       "memory swap 33554432 is below the memory limit 67108864 (swap counts memory+swap)"},
      {mk([](Resources& r) { r.memory_swap = -5; }), "memory swap -5 is negative"},
      {mk([](Resources& r) { r.memory_reservation = -1; }), "memory reservation -1 is negative"},
      {mk([](Resources& r) { r.memory_limit = 64 << 20, r.memory_reservation = 128 << 20; }),
       "memory reservation 134217728 is above the memory limit 67108864"},
      {mk([](Resources& r) { r.cpu_quota_us = 500; }), "cpu quota 500us is below the minimum of 1000us"},
      {mk([](Resources& r) { r.cpu_quota_us = -7; }), "cpu quota -7us is negative"},
      {mk([](Resources& r) { r.cpu_period_us = 999; }), "cpu period 999us is outside 1000us..1000000us"},
      {mk([](Resources& r) { r.cpu_period_us = 2000000; }), "cpu period 2000000us is outside 1000us..1000000us"},
      {mk([](Resources& r) { r.cpu_shares = -1; }), "cpu shares -1 is negative"},
      {mk([](Resources& r) { r.pids_limit = -3; }), "pids limit -3 is negative"},
      {mk([](Resources& r) { r.cpuset_cpus = "0-a"; }), "cpuset cpus \"0-a\" is not a list like 0-3,5"},
      {mk([](Resources& r) { r.cpuset_cpus = "3-1"; }), "cpuset cpus \"3-1\" is not a list like 0-3,5"},
      {mk([](Resources& r) { r.cpuset_mems = ","; }), "cpuset mems \",\" is not a list like 0-3,5"},
      {mk([](Resources& r) { r.cpuset_cpus = "0-7"; }), "cpuset cpus \"0-7\" are not available (available: 0-1)"},
  };
  for (const Case& c : cases) {
    auto st = engine::cgroup::validate(c.r, "0-1");
    REQUIRE(!st);
    CHECK(st.error().code == Code::InvalidArgument);
    CHECK(st.error().str() == c.message);
  }
  Resources ok;
  ok.memory_limit = 64 << 20;
  ok.memory_swap = -1;
  ok.cpu_quota_us = -1;
  ok.pids_limit = -1;
  ok.cpuset_cpus = "0,1";
  CHECK(engine::cgroup::validate(ok, "0-1").ok());
}

TEST_CASE("cgroup: create rejects an impossible limit before making any directory") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  Resources r;
  r.cpu_shares = -4;
  auto m = engine::cgroup::Manager::create("berth/c1", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().str() == "cpu shares -4 is negative");
  CHECK(!test::cgroup::exists(root / "memory/berth"));
  CHECK(!test::cgroup::exists(root / "pids/berth"));
  auto cpus = Resources{};
  cpus.cpuset_cpus = "5";
  auto m2 = engine::cgroup::Manager::create("berth/c1", cpus, root.path());
  REQUIRE(!m2);
  CHECK(m2.error().str() == "cpuset cpus \"5\" are not available (available: 0-1)");
  auto bad = engine::cgroup::Manager::create("berth/../x", Resources{}, root.path());
  REQUIRE(!bad);
  CHECK(bad.error().str() == "cgroup path \"berth/../x\" must not contain . or ..");
}

TEST_CASE("cgroup: id lists and shares-to-weight conversion") {
  auto ids = engine::cgroup::parse_id_list("0-2,5, 7", "cpus");
  REQUIRE(ids);
  CHECK(*ids == std::set<int>{0, 1, 2, 5, 7});
  CHECK(engine::cgroup::shares_to_weight(0) == 0);
  CHECK(engine::cgroup::shares_to_weight(1) == 1);
  CHECK(engine::cgroup::shares_to_weight(2) == 1);
  CHECK(engine::cgroup::shares_to_weight(512) == 20);
  CHECK(engine::cgroup::shares_to_weight(1024) == 39);
  CHECK(engine::cgroup::shares_to_weight(262144) == 10000);
  CHECK(engine::cgroup::shares_to_weight(1000000) == 10000);
}

TEST_CASE("cgroup: open reports a missing cgroup as NotFound") {
  test::TempDir v1, v2;
  test::cgroup::make_v1_root(v1.path());
  test::cgroup::make_v2_root(v2.path());
  for (const std::string& root : {v1.path(), v2.path()}) {
    auto m = engine::cgroup::Manager::open("berth/nope", root);
    REQUIRE(!m);
    CHECK(m.error().code == Code::NotFound);
    CHECK(m.error().str() == "open cgroup berth/nope: not found under " + root);
  }
}

TEST_CASE("cgroup: write errors name the full path and errno") {
  test::TempDir dir;
  auto st = engine::cgroup::write_value(dir.path(), "pids.max", "10");
  REQUIRE(!st);
  CHECK(st.error().str() == "write " + dir.path() + "/pids.max: No such file or directory");
}
