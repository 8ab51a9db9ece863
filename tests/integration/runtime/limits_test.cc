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
  auto s = f.spec({"/bin/sh", "-c",
                   "i=0; while [ $i -lt 60 ]; do sleep 1000 & i=$((i+1)); done 2>/dev/null; "
                   "echo started $(ls /proc | grep -c '^[0-9]'); sleep 1000"});
  s.cgroup.resources.pids_limit = 16;
  f.run(s);
  std::string out;
  for (int i = 0; i < 100 && (out = f.log_text(s)).empty(); ++i) ::usleep(50000);
  auto stats = f.rt().stats(s.id);
  REQUIRE(stats.ok());
  CHECK(stats->pids_current <= 16);
  CHECK(stats->pids_current >= 10);
  CHECK(out.rfind("started ", 0) == 0);
  CHECK(std::atoi(out.c_str() + 8) <= 16);
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}
