// cgroup v2 backend against a fake unified tree: what lands in each file, byte for byte.
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

TEST_CASE("cgroup v2: create enables controllers down the path and writes every limit") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/c1");
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 128 << 20;
  r.memory_reservation = 32 << 20;
  r.cpu_shares = 512;
  r.cpu_period_us = 50000;
  r.cpu_quota_us = 25000;
  r.pids_limit = 100;
  r.cpuset_cpus = "0-1";
  r.cpuset_mems = "0";
  auto m = Manager::create("berth/c1", r, root.path());
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK((*m)->mode() == Mode::V2);
  CHECK((*m)->paths() == std::vector<std::string>{root / "berth/c1"});
  // One "+controller" write each (the fake file keeps the last), in the root and in berth/.
  CHECK(slurp(root / "cgroup.subtree_control") == "+pids");
  CHECK(slurp(root / "berth/cgroup.subtree_control") == "+pids");
  CHECK(slurp(root / "berth/c1/cgroup.subtree_control") == "\n");
  std::string d = root / "berth/c1/";
  CHECK(slurp(d + "memory.max") == "67108864");
  CHECK(slurp(d + "memory.swap.max") == "67108864");  // swap alone: (memory+swap) - memory
  CHECK(slurp(d + "memory.low") == "33554432");
  CHECK(slurp(d + "cpu.weight") == "20");
  CHECK(slurp(d + "cpu.max") == "25000 50000");
  CHECK(slurp(d + "pids.max") == "100");
  CHECK(slurp(d + "cpuset.cpus") == "0-1");
  CHECK(slurp(d + "cpuset.mems") == "0");
  REQUIRE((*m)->add_process(4242));
  CHECK(slurp(d + "cgroup.procs") == "4242");
}

TEST_CASE("cgroup v2: unlimited values") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/c2");
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = -1;
  r.cpu_quota_us = -1;
  r.pids_limit = -1;
  auto m = Manager::create("berth/c2", r, root.path());
  REQUIRE(m);
  std::string d = root / "berth/c2/";
  CHECK(slurp(d + "memory.swap.max") == "max");
  CHECK(slurp(d + "cpu.max") == "max");
  CHECK(slurp(d + "pids.max") == "max");
  Resources period;
  period.cpu_period_us = 20000;
  REQUIRE((*m)->update(period));
  CHECK(slurp(d + "cpu.max") == "max 20000");
  Resources quota;
  quota.cpu_quota_us = 150000;
  REQUIRE((*m)->update(quota));
  CHECK(slurp(d + "cpu.max") == "150000");
}

TEST_CASE("cgroup v2: a limit whose controller is not enabled is named") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path(), "hugetlb");
  test::cgroup::make_v2_leaf(root.path(), "berth/c3", "hugetlb");
  Resources r;
  r.memory_limit = 64 << 20;
  auto m = Manager::create("berth/c3", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().code == Code::FailedPrecondition);
  CHECK(m.error().str() == "create cgroup berth/c3: set memory limits: the memory controller is not enabled in " +
                               root.path() + "/berth/c3 (cgroup.controllers: \"hugetlb\")");
  CHECK(exists(root / "berth/c3"));  // pre-existing, so kept
}

TEST_CASE("cgroup v2: a failed create removes the directories it made") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  Resources r;
  r.pids_limit = 5;
  auto m = Manager::create("berth/new/c4", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().str() == "create cgroup berth/new/c4: set pids limit: the pids controller is not enabled in " +
                               root.path() + "/berth/new/c4 (cgroup.controllers: \"\")");
  CHECK(!exists(root / "berth"));
  // No limits: nothing to check, the cgroup is made and kept.
  auto ok = Manager::create("berth/new/c4", Resources{}, root.path());
  REQUIRE(ok);
  CHECK(exists(root / "berth/new/c4"));
}

TEST_CASE("cgroup v2: swap without swap accounting") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/c5");
  ::unlink((root / "berth/c5/memory.swap.max").c_str());
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = -1;
  REQUIRE(Manager::create("berth/c5", r, root.path()));
  r.memory_swap = 96 << 20;
  auto m = Manager::create("berth/c5", r, root.path());
  REQUIRE(!m);
  CHECK(m.error().str() == "create cgroup berth/c5: memory swap 100663296 (memory 67108864) needs swap accounting, "
                           "which this kernel lacks (" + root.path() + "/berth/c5/memory.swap.max is absent)");
}

TEST_CASE("cgroup v2: freeze writes cgroup.freeze and waits for cgroup.events") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/c6");
  auto m = Manager::open("berth/c6", root.path());
  REQUIRE(m);
  test::write_text(root / "berth/c6/cgroup.events", "populated 1\nfrozen 1\n");  // the kernel's answer
  REQUIRE((*m)->freeze());
  CHECK(slurp(root / "berth/c6/cgroup.freeze") == "1");
  test::write_text(root / "berth/c6/cgroup.events", "populated 1\nfrozen 0\n");
  REQUIRE((*m)->thaw());
  CHECK(slurp(root / "berth/c6/cgroup.freeze") == "0");
}

TEST_CASE("cgroup v2: stats, oom and pids read the kernel's files") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/c7");
  auto m = Manager::open("berth/c7", root.path());
  REQUIRE(m);
  std::string d = root / "berth/c7/";
  test::write_text(d + "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n");
  test::write_text(d + "memory.current", "1048576\n");
  test::write_text(d + "memory.max", "67108864\n");
  test::write_text(d + "memory.peak", "2097152\n");
  test::write_text(d + "memory.stat", "anon 100\nfile 4096\n");
  test::write_text(d + "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  test::write_text(d + "pids.current", "2\n");
  test::write_text(d + "cgroup.procs", "9\n8\n");
  auto s = (*m)->stats();
  REQUIRE(s);
  CHECK(s->cpu_total_ns == 1500000);
  CHECK(s->cpu_user_ns == 1000000);
  CHECK(s->cpu_system_ns == 500000);
  CHECK(s->memory_usage == 1048576);
  CHECK(s->memory_limit == 67108864);
  CHECK(s->memory_max_usage == 2097152);
  CHECK(s->memory_cache == 4096);
  CHECK(s->memory_stat == std::map<std::string, uint64_t>{{"anon", 100}, {"file", 4096}});
  CHECK(s->pids_current == 2);
  CHECK(s->pids_limit == 0);
  CHECK(s->oom_kills == 1);
  CHECK(*(*m)->oom_killed());
  CHECK(*(*m)->pids() == std::vector<pid_t>{8, 9});
  test::write_text(d + "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
  CHECK(!*(*m)->oom_killed());
}

TEST_CASE("cgroup v2: kill_all with SIGKILL uses cgroup.kill") {
  test::TempDir root;
  test::cgroup::make_v2_root(root.path());
  test::cgroup::make_v2_leaf(root.path(), "berth/k1");
  test::write_text(root / "berth/k1/cgroup.kill", "");
  auto m = Manager::open("berth/k1", root.path());
  REQUIRE(m);
  REQUIRE((*m)->kill_all(SIGKILL));
  CHECK(slurp(root / "berth/k1/cgroup.kill") == "1");
}
