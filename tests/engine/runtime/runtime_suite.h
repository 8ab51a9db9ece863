#pragma once
/// Conformance checks every Runtime passes (FakeRuntime in unit tests); each takes a runtime
/// and a spec whose process runs until stopped.
#include <doctest/doctest.h>
#include <signal.h>

#include "engine/runtime/runtime.h"

namespace test {

/// create -> start -> stop -> remove, with the state machine's refusals on the way.
inline void check_lifecycle(engine::runtime::Runtime& rt, const engine::runtime::ContainerSpec& spec) {
  using S = engine::runtime::ContainerState::Status;
  auto created = rt.create(spec, "");
  REQUIRE(created.ok());
  CHECK(created->status == S::Created);
  CHECK(rt.create(spec, "").error().code == engine::base::Code::AlreadyExists);
  CHECK(*rt.list() == std::vector<std::string>{spec.id});
  REQUIRE(rt.start(spec.id).ok());
  CHECK(rt.state(spec.id)->status == S::Running);
  CHECK(rt.start(spec.id).error().code == engine::base::Code::FailedPrecondition);
  CHECK(rt.remove(spec.id).error().code == engine::base::Code::FailedPrecondition);
  auto stopped = rt.stop(spec.id, SIGTERM, 1);
  REQUIRE(stopped.ok());
  CHECK(stopped->status == S::Stopped);
  CHECK(rt.kill(spec.id, SIGTERM).error().code == engine::base::Code::FailedPrecondition);
  REQUIRE(rt.remove(spec.id).ok());
  CHECK(rt.state(spec.id).error().code == engine::base::Code::NotFound);
  CHECK(rt.list()->empty());
}

}  // namespace test
