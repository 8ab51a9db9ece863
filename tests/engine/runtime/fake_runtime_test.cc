#include "engine/runtime/fake_runtime.h"

#include <doctest/doctest.h>

#include "tests/engine/runtime/runtime_suite.h"

namespace {
engine::runtime::ContainerSpec sleeper(const std::string& id) {
  engine::runtime::ContainerSpec s;
  s.id = id;
  s.rootfs.path = "/rootfs";
  s.process.args = {"sleep", "1000"};
  return s;
}
}  // namespace

TEST_CASE("runtime: FakeRuntime passes the lifecycle suite") {
  engine::runtime::FakeRuntime rt;
  test::check_lifecycle(rt, sleeper("c1"));
  CHECK(rt.calls().front() == "create c1");
}

TEST_CASE("runtime: FakeRuntime scripts exits, start failures and exec results") {
  engine::runtime::FakeRuntime rt;
  REQUIRE(rt.create(sleeper("a"), "").ok());
  rt.fail_start("a", "exec: \"foo\": executable file not found in $PATH");
  auto st = rt.start("a");
  REQUIRE_FALSE(st.ok());
  CHECK(rt.state("a")->exit_code == 127);
  REQUIRE(rt.create(sleeper("b"), "").ok());
  REQUIRE(rt.start("b").ok());
  rt.script_exec("b", {0, "ok\n", "", ""});
  engine::runtime::ExecSpec ex;
  ex.args = {"true"};
  CHECK(rt.exec("b", ex, "")->out == "ok\n");
  REQUIRE(rt.pause("b").ok());
  CHECK(rt.state("b")->status == engine::runtime::ContainerState::Status::Paused);
  REQUIRE(rt.resume("b").ok());
  rt.exit("b", 3);
  CHECK(rt.wait("b", 0)->exit_code == 3);
  CHECK(engine::runtime::status_name(rt.state("b")->status) == "exited");
}
