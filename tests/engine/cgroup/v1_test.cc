// cgroup v1 and hybrid backends against fake trees: what lands in each file, byte for byte.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cgroup/cgroup.h"
#include "tests/engine/cgroup/fake_tree.h"
#include "tests/support/test_util.h"

using engine::base::Code;
using engine::cgroup::Manager;
using engine::cgroup::Mode;
using engine::cgroup::Resources;
using test::cgroup::exists;
using test::cgroup::slurp;

namespace {

Resources full_limits() {
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 128 << 20;
  r.memory_reservation = 32 << 20;
  r.cpu_shares = 512;
  r.cpu_period_us = 50000;
  r.cpu_quota_us = 25000;
  r.pids_limit = 100;
  return r;
}

}  // namespace

TEST_CASE("cgroup v1: create writes every limit to its controller file") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/c1");
  auto m = Manager::create("berth/c1", full_limits(), root.path());
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK((*m)->mode() == Mode::V1);
  std::string mem = root / "memory/berth/c1/";
  CHECK(slurp(mem + "memory.limit_in_bytes") == "67108864");
  CHECK(slurp(mem + "memory.memsw.limit_in_bytes") == "134217728");
  CHECK(slurp(mem + "memory.soft_limit_in_bytes") == "33554432");
  std::string cpu = root / "cpu/berth/c1/";
  CHECK(slurp(cpu + "cpu.shares") == "512");
  CHECK(slurp(cpu + "cpu.cfs_period_us") == "50000");
  CHECK(slurp(cpu + "cpu.cfs_quota_us") == "25000");
  CHECK(slurp(root / "pids/berth/c1/pids.max") == "100");
  // cpuset: empty cpus/mems are inherited from the parent, down the whole path.
  CHECK(slurp(root / "cpuset/berth/cpuset.cpus") == "0-1");
  CHECK(slurp(root / "cpuset/berth/cpuset.mems") == "0");
  CHECK(slurp(root / "cpuset/berth/c1/cpuset.cpus") == "0-1");
  CHECK(slurp(root / "cpuset/berth/c1/cpuset.mems") == "0");
  // Untouched controllers keep their defaults.
  CHECK(slurp(root / "freezer/berth/c1/freezer.state") == "THAWED\n");

  REQUIRE((*m)->add_process(4242));
  std::vector<std::string> paths = (*m)->paths();
  CHECK(paths.size() == 9);
  for (const std::string& p : paths) CHECK(slurp(p + "/cgroup.procs") == "4242");
  CHECK(paths.front() == root / "blkio/berth/c1");
}

TEST_CASE("cgroup v1: unlimited values and cpuset") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/c2");
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = -1;
  r.cpu_quota_us = -1;
  r.pids_limit = -1;
  r.cpuset_cpus = "1";
  r.cpuset_mems = "0";
  auto m = Manager::create("berth/c2", r, root.path());
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK(slurp(root / "memory/berth/c2/memory.memsw.limit_in_bytes") == "-1");
  CHECK(slurp(root / "memory/berth/c2/memory.limit_in_bytes") == "67108864");
  CHECK(slurp(root / "cpu/berth/c2/cpu.cfs_quota_us") == "-1");
  CHECK(slurp(root / "cpu/berth/c2/cpu.cfs_period_us") == "100000\n");
  CHECK(slurp(root / "pids/berth/c2/pids.max") == "max");
  CHECK(slurp(root / "cpuset/berth/c2/cpuset.cpus") == "1");
  CHECK(slurp(root / "cpuset/berth/c2/cpuset.mems") == "0");
}

TEST_CASE("cgroup v1: without swap accounting swap is ignored unless swap is asked for") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path(), false, /*memsw=*/false);
  test::cgroup::make_v1_leaf(root.path(), "berth/c3", /*memsw=*/false);
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = -1;
  REQUIRE(Manager::create("berth/c3", r, root.path()));
  CHECK(slurp(root / "memory/berth/c3/memory.limit_in_bytes") == "67108864");
  CHECK(!exists(root / "memory/berth/c3/memory.memsw.limit_in_bytes"));
  r.memory_swap = r.memory_limit;  // "no swap": nothing to enforce
  REQUIRE(Manager::create("berth/c3", r, root.path()));
  r.memory_swap = 2 * r.memory_limit;
  auto m = Manager::create("berth/c3", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().code == Code::FailedPrecondition);
  CHECK(m.error().str() == "create cgroup berth/c3: memory swap 134217728 (memory 67108864) needs swap accounting, "
                           "which this kernel lacks (" + root.path() +
                               "/memory/berth/c3/memory.memsw.limit_in_bytes is absent)");
}

TEST_CASE("cgroup v1: update raises memory+swap and memory together") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/c4");
  auto m = Manager::create("berth/c4", full_limits(), root.path());
  REQUIRE(m);
  Resources up;
  up.memory_limit = 256 << 20;
  up.memory_swap = 512 << 20;
  up.pids_limit = 7;
  REQUIRE((*m)->update(up));
  CHECK(slurp(root / "memory/berth/c4/memory.limit_in_bytes") == "268435456");
  CHECK(slurp(root / "memory/berth/c4/memory.memsw.limit_in_bytes") == "536870912");
  CHECK(slurp(root / "pids/berth/c4/pids.max") == "7");
  CHECK(slurp(root / "cpu/berth/c4/cpu.shares") == "512");  // unset fields stay as they were
  Resources above;  // memory alone above the memory+swap limit in force
  above.memory_limit = 1024 << 20;
  auto st_above = (*m)->update(above);
  REQUIRE(!st_above);
  CHECK(st_above.error().str() ==
        "memory limit 1073741824 is above the current memory+swap limit 536870912; update memory swap with it");
  Resources bad;
  bad.memory_limit = 5;
  auto st = (*m)->update(bad);
  REQUIRE(!st);
  CHECK(st.error().str() == "memory limit 5 is below the minimum of 6291456 bytes (6MiB)");
}

TEST_CASE("cgroup v1: a failed create removes exactly the directories it made") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  // Every controller is pre-populated except pids: there mkdir makes berth/ and berth/c5
  // without the kernel's files, so writing pids.max fails.
  test::cgroup::make_v1_leaf(root.path(), "berth/c5", true,
                             {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "systemd"});
  Resources r;
  r.pids_limit = 10;
  auto m = Manager::create("berth/c5", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().str() ==
        "create cgroup berth/c5: write " + root.path() + "/pids/berth/c5/pids.max: No such file or directory");
  CHECK(!exists(root / "pids/berth"));
  CHECK(exists(root / "pids"));
  CHECK(exists(root / "memory/berth/c5"));  // pre-existing: not ours to remove
}

TEST_CASE("cgroup v1: a missing controller is named") {
  test::TempDir root;
  for (const char* c : {"memory", "cpu", "cpuacct"}) test::write_text(root / (std::string(c) + "/cgroup.procs"), "");
  test::cgroup::make_v1_leaf(root.path(), "berth/c6", true, {"memory", "cpu", "cpuacct"});
  Resources r;
  r.pids_limit = 10;
  auto m = Manager::create("berth/c6", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().code == Code::FailedPrecondition);
  CHECK(m.error().str() ==
        "create cgroup berth/c6: set pids limit: the pids controller is not mounted under " + root.path());
  auto ok = Manager::create("berth/c6", Resources{}, root.path());
  REQUIRE(ok);
  auto fz = (*ok)->freeze();
  REQUIRE(!fz);
  CHECK(fz.error().str() == "freeze berth/c6: the freezer controller is not mounted under " + root.path());
}

TEST_CASE("cgroup v1: freeze and thaw drive freezer.state") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/c7");
  auto m = Manager::create("berth/c7", Resources{}, root.path());
  REQUIRE(m);
  REQUIRE((*m)->freeze());
  CHECK(slurp(root / "freezer/berth/c7/freezer.state") == "FROZEN");
  REQUIRE((*m)->thaw());
  CHECK(slurp(root / "freezer/berth/c7/freezer.state") == "THAWED");
}

TEST_CASE("cgroup v1: stats, oom and pids read the kernel's files") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/c8");
  auto m = Manager::open("berth/c8", root.path());
  REQUIRE(m);
  std::string d = root / "";
  test::write_text(d + "cpuacct/berth/c8/cpuacct.usage", "5000000000\n");
  test::write_text(d + "cpuacct/berth/c8/cpuacct.stat", "user 300\nsystem 100\n");
  test::write_text(d + "cpuacct/berth/c8/cpuacct.usage_percpu", "3000000000 2000000000 \n");
  test::write_text(d + "memory/berth/c8/memory.usage_in_bytes", "1048576\n");
  test::write_text(d + "memory/berth/c8/memory.max_usage_in_bytes", "2097152\n");
  test::write_text(d + "memory/berth/c8/memory.stat", "cache 10\nrss 20\ntotal_cache 4096\n");
  test::write_text(d + "memory/berth/c8/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  test::write_text(d + "pids/berth/c8/pids.current", "3\n");
  test::write_text(d + "pids/berth/c8/pids.max", "50\n");
  test::write_text(d + "pids/berth/c8/cgroup.procs", "30\n10\n20\n");
  auto s = (*m)->stats();
  REQUIRE(s);
  CHECK(s->cpu_total_ns == 5000000000ull);
  CHECK(s->cpu_user_ns == 3000000000ull);  // 300 ticks at USER_HZ 100
  CHECK(s->cpu_system_ns == 1000000000ull);
  CHECK(s->cpu_percpu_ns == std::vector<uint64_t>{3000000000ull, 2000000000ull});
  CHECK(s->memory_usage == 1048576);
  CHECK(s->memory_limit == 0);  // unlimited
  CHECK(s->memory_max_usage == 2097152);
  CHECK(s->memory_cache == 4096);
  CHECK(s->memory_stat == std::map<std::string, uint64_t>{{"cache", 10}, {"rss", 20}, {"total_cache", 4096}});
  CHECK(s->pids_current == 3);
  CHECK(s->pids_limit == 50);
  CHECK(s->oom_kills == 2);
  CHECK(*(*m)->oom_killed());
  CHECK(*(*m)->pids() == std::vector<pid_t>{10, 20, 30});
}

TEST_CASE("cgroup hybrid: joins the unified hierarchy as well") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path(), /*hybrid=*/true);
  test::cgroup::make_v1_leaf(root.path(), "berth/c9");
  test::write_text(root / "unified/berth/c9/cgroup.procs", "");
  auto m = Manager::create("berth/c9", Resources{}, root.path());
  REQUIRE(m);
  CHECK((*m)->mode() == Mode::Hybrid);
  CHECK((*m)->paths().back() == root / "unified/berth/c9");
  REQUIRE((*m)->add_process(77));
  CHECK(slurp(root / "unified/berth/c9/cgroup.procs") == "77");
  CHECK(slurp(root / "memory/berth/c9/cgroup.procs") == "77");
  // Joining at birth: the unified leaf is a directory for clone3, the v1 leaves' tasks files
  // get "0" (the calling thread) from the child itself.
  auto h = (*m)->join_handles();
  REQUIRE_MESSAGE(h, h.error().str());
  CHECK(h->v2_dir.valid());
  CHECK(h->v1_tasks.size() == (*m)->paths().size() - 1);
  REQUIRE(engine::cgroup::join_self(*h));
  CHECK(slurp(root / "memory/berth/c9/tasks") == "0");
  CHECK(slurp(root / "pids/berth/c9/tasks") == "0");
  h->v2_dir.release();  // join_self closed them (as the child's copies)
  for (auto& fd : h->v1_tasks) fd.release();
}

TEST_CASE("cgroup v1: kill_all freezes, signals every listed task, and restores the freezer state") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/k1");
  auto m = Manager::open("berth/k1", root.path());
  REQUIRE(m);
  // A child of this test stands in for the container's task (only our own process is signalled).
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::signal(SIGTERM, SIG_DFL);  // not doctest's crash handler
    (void)!::write(ready[1], "r", 1);
    ::pause();
    ::_exit(0);
  }
  REQUIRE(child > 0);
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  test::write_text(root / "pids/berth/k1/cgroup.procs", std::to_string(child) + "\n");
  REQUIRE((*m)->kill_all(SIGTERM));
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(slurp(root / "freezer/berth/k1/freezer.state") == "THAWED");  // frozen while signalling, then thawed
  // A paused cgroup stays paused after a non-fatal signal.
  test::write_text(root / "pids/berth/k1/cgroup.procs", "");
  test::write_text(root / "freezer/berth/k1/freezer.state", "FROZEN\n");
  REQUIRE((*m)->kill_all(SIGUSR1));
  CHECK(slurp(root / "freezer/berth/k1/freezer.state") == "FROZEN\n");
  REQUIRE((*m)->kill_all(SIGKILL));  // SIGKILL thaws so the tasks can die
  CHECK(slurp(root / "freezer/berth/k1/freezer.state") == "THAWED");
}
