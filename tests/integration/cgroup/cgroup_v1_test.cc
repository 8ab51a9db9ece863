// engine::cgroup on the host layout (/sys/fs/cgroup: v1 or hybrid on CI, v2 elsewhere).
#include <doctest/doctest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "engine/cgroup/cgroup.h"
#include "tests/integration/cgroup/cgroup_fixture.h"

using engine::cgroup::Manager;
using engine::cgroup::Mode;
using engine::cgroup::Resources;

namespace {


bool v1ish(const Manager& m) { return m.mode() != Mode::V2; }

/// The leaf directory of controller ctrl ("memory", ...) on v1, or the unified leaf on v2.
std::string leaf(const Manager& m, const std::string& ctrl) {
  for (const std::string& p : m.paths())
    if (!v1ish(m) || p.rfind("/sys/fs/cgroup/" + ctrl + "/", 0) == 0) return p;
  return {};
}

void spin(std::atomic<uint64_t>* counter) {
  for (;;) counter->fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

TEST_CASE("cgroup host: limits reach the kernel, a child joins, stats move, destroy leaves nothing") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 128 << 20;
  r.cpu_shares = 512;
  r.cpu_period_us = 100000;
  r.cpu_quota_us = 50000;
  r.pids_limit = 50;
  auto m = Manager::create(itest::test_cgroup("limits"), r);
  REQUIRE_MESSAGE(m, m.error().str());
  Manager& mg = **m;
  if (v1ish(mg)) {
    CHECK(itest::slurp(leaf(mg, "memory") + "/memory.limit_in_bytes") == "67108864\n");
    if (!itest::slurp(leaf(mg, "memory") + "/memory.memsw.limit_in_bytes").empty())
      CHECK(itest::slurp(leaf(mg, "memory") + "/memory.memsw.limit_in_bytes") == "134217728\n");
    CHECK(itest::slurp(leaf(mg, "cpu") + "/cpu.cfs_quota_us") == "50000\n");
    CHECK(itest::slurp(leaf(mg, "cpu") + "/cpu.shares") == "512\n");
    CHECK(itest::slurp(leaf(mg, "pids") + "/pids.max") == "50\n");
    CHECK(itest::slurp(leaf(mg, "cpuset") + "/cpuset.cpus") == itest::slurp("/sys/fs/cgroup/cpuset/cpuset.cpus"));
  } else {
    CHECK(itest::slurp(leaf(mg, "") + "/memory.max") == "67108864\n");
    CHECK(itest::slurp(leaf(mg, "") + "/cpu.max") == "50000 100000\n");
    CHECK(itest::slurp(leaf(mg, "") + "/pids.max") == "50\n");
  }

  std::atomic<uint64_t>* counter = itest::shared_counter();
  itest::Child child([&](int) {
    // Memory touched after joining is charged to the new cgroup.
    volatile char* p = static_cast<char*>(::malloc(4 << 20));
    for (int i = 0; i < (4 << 20); i += 4096) p[i] = 1;
    spin(counter);
  });
  REQUIRE((*m)->add_process(child.pid()));
  child.go();
  std::string self = itest::slurp("/proc/" + std::to_string(child.pid()) + "/cgroup");
  CHECK(self.find(itest::test_cgroup("limits")) != std::string::npos);
  CHECK(*mg.pids() == std::vector<pid_t>{child.pid()});
  itest::sleep_ms(300);

  auto st = mg.stats();
  REQUIRE_MESSAGE(st, st.error().str());
  CHECK(st->cpu_total_ns > 10'000'000);  // spun for 300ms at a 50% quota
  CHECK(st->cpu_user_ns + st->cpu_system_ns > 0);
  CHECK(st->memory_usage >= 4 << 20);
  CHECK(st->memory_max_usage >= st->memory_usage);
  CHECK(st->memory_limit == 64 << 20);
  CHECK(st->pids_current == 1);
  CHECK(st->pids_limit == 50);
  CHECK(!*mg.oom_killed());

  Resources up;
  up.pids_limit = 20;
  up.memory_limit = 256 << 20;  // above the old memory+swap: the kernel needs swap raised first
  up.memory_swap = 512 << 20;
  REQUIRE_MESSAGE(mg.update(up), "update");
  CHECK(itest::slurp(leaf(mg, "pids") + "/pids.max") == "20\n");
  CHECK(mg.stats()->memory_limit == 256 << 20);
  Resources down;
  down.memory_limit = 32 << 20;
  down.memory_swap = 48 << 20;
  REQUIRE_MESSAGE(mg.update(down), "update down");
  CHECK(mg.stats()->memory_limit == 32 << 20);

  std::vector<std::string> paths = mg.paths();
  REQUIRE(mg.destroy());
  int status = child.wait();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  for (const std::string& p : paths) CHECK_MESSAGE(::access(p.c_str(), F_OK) != 0, p);
  CHECK(!itest::any_test_cgroup_left());  // the berth-test-<pid>/ parents it made are gone too
}

TEST_CASE("cgroup host: freeze stops every task until thaw") {
  itest::CgroupSweeper sweeper;
  auto m = Manager::create(itest::test_cgroup("freeze"), Resources{});
  REQUIRE_MESSAGE(m, m.error().str());
  std::atomic<uint64_t>* counter = itest::shared_counter();
  itest::Child child([&](int) { spin(counter); });
  REQUIRE((*m)->add_process(child.pid()));
  child.go();
  itest::sleep_ms(50);
  REQUIRE((*m)->freeze());
  if (v1ish(**m))
    CHECK(itest::slurp(leaf(**m, "freezer") + "/freezer.state") == "FROZEN\n");
  else
    CHECK(itest::slurp(leaf(**m, "") + "/cgroup.events").find("frozen 1") != std::string::npos);
  uint64_t a = counter->load();
  itest::sleep_ms(150);
  CHECK(counter->load() == a);
  REQUIRE((*m)->thaw());
  itest::sleep_ms(100);
  CHECK(counter->load() > a);
  // kill_all on a paused container with SIGKILL still kills (it thaws to deliver).
  REQUIRE((*m)->freeze());
  REQUIRE((*m)->kill_all(SIGKILL));
  int status = child.wait();
  CHECK(WIFSIGNALED(status));
  REQUIRE((*m)->destroy());
  CHECK(!itest::any_test_cgroup_left());
}

TEST_CASE("cgroup host: a pids limit stops forks") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.pids_limit = 5;
  auto m = Manager::create(itest::test_cgroup("pids"), r);
  REQUIRE_MESSAGE(m, m.error().str());
  itest::Child child([](int rep) {
    int ok = 0, err = 0;
    for (int i = 0; i < 10; ++i) {
      pid_t p = ::fork();
      if (p == 0) {
        ::pause();
        ::_exit(0);
      }
      if (p > 0) ++ok;
      else err = errno;
    }
    std::string s = "forked=" + std::to_string(ok) + " errno=" + (err == EAGAIN ? "EAGAIN" : std::to_string(err)) + "\n";
    (void)!::write(rep, s.data(), s.size());
    ::pause();
  });
  REQUIRE((*m)->add_process(child.pid()));
  child.go();
  CHECK(child.report(10000) == "forked=4 errno=EAGAIN");
  auto st = (*m)->stats();
  REQUIRE(st);
  CHECK(st->pids_current == 5);
  CHECK((*m)->pids()->size() == 5);
  REQUIRE((*m)->destroy());  // kills the grandchildren too
  CHECK(WIFSIGNALED(child.wait()));
  CHECK(!itest::any_test_cgroup_left());
}

TEST_CASE("cgroup host: a memory hog is OOM-killed and oom_killed() reports it") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.memory_limit = 16 << 20;
  r.memory_swap = 16 << 20;  // no swap: the hog cannot escape to it
  auto m = Manager::create(itest::test_cgroup("oom"), r);
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK(!*(*m)->oom_killed());
  itest::Child child([](int) {
    for (int i = 0; i < 512; ++i) {
      volatile char* p = static_cast<char*>(::malloc(1 << 20));
      for (int j = 0; p && j < (1 << 20); j += 4096) p[j] = 0x5a;
    }
    ::_exit(0);  // not reached under the limit
  });
  REQUIRE((*m)->add_process(child.pid()));
  child.go();
  int status = child.wait(30000);
  REQUIRE(status != -1);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  auto oom = (*m)->oom_killed();
  REQUIRE(oom);
  CHECK(*oom);
  CHECK((*m)->stats()->oom_kills >= 1);
  REQUIRE((*m)->destroy());
  CHECK(!itest::any_test_cgroup_left());
}

TEST_CASE("cgroup host: an impossible limit creates nothing, open finds what create made") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.memory_limit = 1 << 20;
  auto bad = Manager::create(itest::test_cgroup("bad"), r);
  REQUIRE(!bad);
  CHECK(bad.error().code == engine::base::Code::InvalidArgument);
  CHECK(bad.error().str() == "memory limit 1048576 is below the minimum of 6291456 bytes (6MiB)");
  CHECK(!itest::any_test_cgroup_left());

  auto m = Manager::create(itest::test_cgroup("open"), Resources{});
  REQUIRE(m);
  auto o = Manager::open(itest::test_cgroup("open"));
  REQUIRE(o);
  CHECK((*o)->paths() == (*m)->paths());
  CHECK((*o)->mode() == (*m)->mode());
  REQUIRE((*o)->destroy());  // removes the leaf; berth-test-<pid>/ was not made by this manager
  REQUIRE((*m)->destroy());  // removes the parent it made
  CHECK(!itest::any_test_cgroup_left());
  auto gone = Manager::open(itest::test_cgroup("open"));
  REQUIRE(!gone);
  CHECK(gone.error().code == engine::base::Code::NotFound);
}

namespace {

/// Opens /dev/null and /dev/kmsg from a child inside m: "null=ok kmsg=EPERM".
std::string device_probe(Manager& m) {
  itest::Child child([](int rep) {
    auto try_open = [](const char* p) -> std::string {
      int fd = ::open(p, O_RDONLY | O_CLOEXEC);
      if (fd >= 0) return ::close(fd), "ok";
      return errno == EPERM ? "EPERM" : "errno " + std::to_string(errno);
    };
    std::string r = "null=" + try_open("/dev/null") + " kmsg=" + try_open("/dev/kmsg") + "\n";
    (void)!::write(rep, r.data(), r.size());
  });
  if (!m.add_process(child.pid())) return "add_process failed";
  child.go();
  std::string out = child.report();
  child.wait();
  return out;
}

}  // namespace

TEST_CASE("cgroup host: Docker's default device rules block other devices") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.devices = engine::cgroup::default_device_rules();
  auto m = Manager::create(itest::test_cgroup("devices"), r);
  REQUIRE_MESSAGE(m, m.error().str());
  if (v1ish(**m)) {
    std::string list = itest::slurp(leaf(**m, "devices") + "/devices.list");
    CHECK(list.find("c 1:3 rwm") != std::string::npos);
    CHECK(list.find("c 136:* rwm") != std::string::npos);
    CHECK(list.find("a *:* rwm") == std::string::npos);
  }
  CHECK(device_probe(**m) == "null=ok kmsg=EPERM");
  REQUIRE((*m)->destroy());
  CHECK(!itest::any_test_cgroup_left());
}

TEST_CASE("cgroup host: a value the kernel refuses rolls the whole create back") {
  itest::CgroupSweeper sweeper;
  Resources r;
  r.pids_limit = 10;
  r.cpuset_mems = "7";  // well-formed, but this host has no memory node 7
  auto m = Manager::create(itest::test_cgroup("refused"), r);
  REQUIRE(!m);
  std::string dir = (engine::cgroup::detect_mode().value_or(Mode::V1) == Mode::V2 ? "/sys/fs/cgroup/"
                                                                                     : "/sys/fs/cgroup/cpuset/") +
                    itest::test_cgroup("refused");
  // v2 hosts may lack the cpuset controller; then the precondition error names it instead.
  if (m.error().message.find("controller") == std::string::npos)
    CHECK(m.error().str() == "create cgroup " + itest::test_cgroup("refused") + ": write " + dir +
                                 "/cpuset.mems: Invalid argument");
  CHECK(!itest::any_test_cgroup_left());  // every hierarchy, parents included
}
