#include "engine/process/sync.h"

#include <doctest/doctest.h>

TEST_CASE("process: sync channel carries typed messages, errors and EOF") {
  auto pair = engine::process::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  auto& [shim, init] = *pair;
  REQUIRE(shim.send(engine::process::SyncKind::Go).ok());
  CHECK(init.expect(engine::process::SyncKind::Go).ok());
  init.send_error(engine::base::sys_error("mount /proc", EPERM), 1);
  auto err = shim.expect(engine::process::SyncKind::Ready);
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().str() == "mount /proc: Operation not permitted");
  init.close();
  auto eof = shim.receive();
  REQUIRE(eof.ok());
  CHECK(engine::process::is_eof(*eof));
}
