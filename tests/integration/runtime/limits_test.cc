// cgroup limits seen from inside: OOM kill reported, pids limit stops a fork bomb, stats.
#include <doctest/doctest.h>
#include <signal.h>

#include "tests/integration/runtime/runtime_fixture.h"

using engine::runtime::ContainerState;
using test::RuntimeFixture;

TEST_CASE("runtime: an allocation past the memory limit ends in an OOM kill reported as such") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=200M count=1"});
  s.cgroup.resources.memory_limit = 32 * 1024 * 1024;
  s.cgroup.resources.memory_swap = 32 * 1024 * 1024;
  auto st = f.run_to_exit(s);
  CHECK(st.oom_killed);
  CHECK(st.exit_code != 0);
}

TEST_CASE("runtime: a pids limit stops a fork bomb") {
  RuntimeFixture f;
  // 60 background sleeps against a limit of 16: the shell's fork fails and it gives up.
  auto s = f.spec({"/bin/sh", "-c", "i=0; while [ $i -lt 60 ]; do sleep 1000 & i=$((i+1)); done; echo all-started"});
  s.cgroup.resources.pids_limit = 16;
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code != 0);
  CHECK(f.log_text(s) == "");
  CHECK(f.log_text(s, "stderr").find("can't fork") != std::string::npos);
}

TEST_CASE("runtime: stats report the container's cgroup usage") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "sleep 1000 & sleep 1000 & sleep 1000"});
  s.cgroup.resources.pids_limit = 32;
  s.cgroup.resources.memory_limit = 64 * 1024 * 1024;
  f.run(s);
  engine::cgroup::Stats stats;
  for (int i = 0; i < 100; ++i) {
    auto r = f.rt().stats(s.id);
    REQUIRE(r.ok());
    stats = *r;
    if (stats.pids_current == 3) break;
    ::usleep(20000);
  }
  CHECK(stats.pids_current == 3);  // sh execs its last command
  CHECK(stats.pids_limit == 32);
  CHECK(stats.memory_limit == 64 * 1024 * 1024);
  CHECK(stats.memory_usage > 0);
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}
