// The v2 backend on the real kernel's cgroup2 hierarchy: /sys/fs/cgroup on v2 hosts, the
// controller-less /sys/fs/cgroup/unified on hybrid CI hosts (core files: procs, freeze, kill, cpu.stat).
#include <doctest/doctest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/cgroup/cgroup.h"
#include "tests/integration/cgroup/cgroup_fixture.h"

using engine::cgroup::Manager;
using engine::cgroup::Mode;
using engine::cgroup::Resources;

namespace {


}  // namespace

TEST_CASE("cgroup v2 real: join, freeze, stats, kill and destroy on the cgroup2 hierarchy" *
          doctest::skip(itest::v2_root().empty())) {
  itest::CgroupSweeper sweeper;
  const std::string root = itest::v2_root();
  const std::string subtree_before = itest::slurp(root + "/cgroup.subtree_control");
  auto m = Manager::create(itest::test_cgroup("v2"), Resources{}, root);
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK((*m)->mode() == Mode::V2);
  const std::string dir = root + "/" + itest::test_cgroup("v2");
  CHECK((*m)->paths() == std::vector<std::string>{dir});

  std::atomic<uint64_t>* counter = itest::shared_counter();
  itest::Child child([&](int) {
    for (;;) counter->fetch_add(1, std::memory_order_relaxed);
  });
  REQUIRE((*m)->add_process(child.pid()));
  child.go();
  CHECK(itest::slurp("/proc/" + std::to_string(child.pid()) + "/cgroup").find("0::/" + itest::test_cgroup("v2")) !=
        std::string::npos);
  CHECK(*(*m)->pids() == std::vector<pid_t>{child.pid()});
  itest::sleep_ms(100);

  REQUIRE((*m)->freeze());
  CHECK(itest::slurp(dir + "/cgroup.events").find("frozen 1") != std::string::npos);
  uint64_t a = counter->load();
  itest::sleep_ms(150);
  CHECK(counter->load() == a);
  REQUIRE((*m)->thaw());
  CHECK(itest::slurp(dir + "/cgroup.events").find("frozen 0") != std::string::npos);
  itest::sleep_ms(100);
  CHECK(counter->load() > a);

  auto st = (*m)->stats();
  REQUIRE_MESSAGE(st, st.error().str());
  CHECK(st->cpu_total_ns > 10'000'000);
  CHECK(!*(*m)->oom_killed());

  REQUIRE((*m)->kill_all(SIGKILL));
  int status = child.wait();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  REQUIRE((*m)->destroy());
  CHECK(::access(dir.c_str(), F_OK) != 0);
  CHECK(!itest::any_test_cgroup_left());
  if (root != "/sys/fs/cgroup")  // hybrid: nothing we use lives there, so nothing was enabled
    CHECK(itest::slurp(root + "/cgroup.subtree_control") == subtree_before);
}

TEST_CASE("cgroup v2 real: a limit whose controller is bound elsewhere fails cleanly" *
          doctest::skip(itest::v2_root() != "/sys/fs/cgroup/unified")) {
  // On hybrid hosts pids is bound to v1, so the unified hierarchy cannot offer it.
  itest::CgroupSweeper sweeper;
  const std::string root = itest::v2_root();
  Resources r;
  r.pids_limit = 10;
  auto m = Manager::create(itest::test_cgroup("v2-pids"), r, root);
  REQUIRE(!m);
  CHECK(m.error().code == engine::base::Code::FailedPrecondition);
  CHECK(m.error().str().find("set pids limit: the pids controller is not enabled in " + root + "/" +
                             itest::test_cgroup("v2-pids")) != std::string::npos);
  CHECK(!itest::any_test_cgroup_left());  // rolled back, parents included
}

TEST_CASE("cgroup v2 real: device rules are an eBPF program, an update replaces it" *
          doctest::skip(itest::v2_root().empty())) {
  itest::CgroupSweeper sweeper;
  const std::string root = itest::v2_root();
  Resources r;
  r.devices = engine::cgroup::default_device_rules();
  auto m = Manager::create(itest::test_cgroup("v2-devices"), r, root);
  REQUIRE_MESSAGE(m, m.error().str());
  auto probe = [&] {
    itest::Child child([](int rep) {
      auto try_open = [](const char* p) -> std::string {
        int fd = ::open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) return ::close(fd), "ok";
        return errno == EPERM ? "EPERM" : "errno " + std::to_string(errno);
      };
      std::string out = "null=" + try_open("/dev/null") + " kmsg=" + try_open("/dev/kmsg") + "\n";
      (void)!::write(rep, out.data(), out.size());
    });
    REQUIRE((*m)->add_process(child.pid()));
    child.go();
    std::string out = child.report();
    child.wait();
    return out;
  };
  CHECK(probe() == "null=ok kmsg=EPERM");
  // Allowing /dev/kmsg too: the old program must go, or it would still deny.
  Resources more;
  more.devices = engine::cgroup::default_device_rules();
  more.devices.push_back(engine::cgroup::DeviceRule{true, 'c', 1, 11, "r"});
  REQUIRE((*m)->update(more));
  CHECK(probe() == "null=ok kmsg=ok");
  REQUIRE((*m)->destroy());
  CHECK(!itest::any_test_cgroup_left());
}
