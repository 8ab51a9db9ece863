// Supervision across process deaths: an exec outlives the berthd that started it, and a
// killed shim leaves its container reported as killed, with nothing left running.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/time.h"
#include "engine/cgroup/cgroup.h"
#include "engine/runtime/status_file.h"
#include "tests/integration/runtime/runtime_fixture.h"

using engine::runtime::ContainerState;
using test::RuntimeFixture;

namespace {

/// PID has exited (gone, or a zombie waiting for its reaper).
bool gone(int pid) {
  std::string stat = engine::base::read_file("/proc/" + std::to_string(pid) + "/stat").value_or(") Z");
  return stat.find(") Z") != std::string::npos || stat.find(") X") != std::string::npos;
}

bool wait_until(const std::function<bool()>& ok, int ms = 5000) {
  for (int i = 0; i < ms / 5; ++i) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ok();
}

}  // namespace

TEST_CASE("runtime: an exec outlives its killed client and a new client learns its exit code") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  f.run(s);
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t client = ::fork();
  REQUIRE(client >= 0);
  if (client == 0) {
    // A berthd stand-in: starts a keyed exec that writes after its client is gone, then waits.
    engine::runtime::ExecSpec ex;
    ex.args = {"/bin/sh", "-c", "read x; i=0; while [ $i -lt 20000 ]; do echo line$i; i=$((i+1)); done; exit 7"};
    ex.key = "survivor";
    auto p = f.rt().exec_start(s.id, ex);
    std::string pid = p.ok() ? std::to_string(p->pid) : "0";
    (void)!::write(ready[1], pid.data(), pid.size());
    ::close(ready[1]);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char buf[32] = {};
  REQUIRE(::read(ready[0], buf, sizeof buf - 1) > 0);
  ::close(ready[0]);
  int helper = std::atoi(buf);
  REQUIRE(helper > 0);
  ::kill(client, SIGKILL);
  ::waitpid(client, nullptr, 0);
  // Its stdin reached EOF with the client; it now writes far more than a pipe holds, with no
  // reader left but the shim: it must neither block nor die of SIGPIPE.
  auto fresh = engine::runtime::make_linux_runtime(f.state_root(), BERTH_BIN_DIR "/berth-shim");
  auto done = fresh->exec_wait_key(s.id, "survivor", 10000);
  REQUIRE_MESSAGE(done.ok(), (done.ok() ? "" : done.error().str()));
  CHECK(done->exit_code == 7);
  CHECK(gone(helper));
  // Asked again, after the fact, the answer is the same.
  auto again = fresh->exec_wait_key(s.id, "survivor", 0);
  REQUIRE(again.ok());
  CHECK(again->exit_code == 7);
  CHECK(fresh->exec_wait_key(s.id, "nosuch", 2000).error().code == engine::base::Code::NotFound);
  auto st = fresh->state(s.id);
  REQUIRE(st.ok());
  CHECK(st->status == ContainerState::Status::Running);
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}

TEST_CASE("runtime: a probe's helper killed on timeout takes its process with it") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  f.run(s);
  engine::runtime::ExecSpec ex;
  ex.args = {"/bin/sh", "-c", "echo $$; exec sleep 1000"};
  auto p = f.rt().exec_start(s.id, ex);
  REQUIRE(p.ok());
  std::string line;
  char c;
  while (::read(p->stdout_fd.get(), &c, 1) == 1 && c != '\n') line.push_back(c);
  CHECK(!line.empty());
  ::kill(p->pid, SIGKILL);
  auto exit = f.rt().exec_wait(*p);
  REQUIRE(exit.ok());
  CHECK(exit->exit_code == 137);
  // Nothing but the container's own process is left in its cgroup.
  auto cg = engine::cgroup::Manager::open(s.cgroup.rel_path);
  REQUIRE(cg.ok());
  CHECK(wait_until([&] {
    auto pids = (*cg)->pids();
    return pids.ok() && pids->size() == 1;
  }));
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}

TEST_CASE("runtime: kill -9 of the shim reports the container killed and leaves no process behind") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
  auto st = f.run(s);
  auto status = engine::runtime::read_status(f.state_root() + "/" + s.id + "/status");
  REQUIRE(status.ok());
  REQUIRE(status->shim_pid > 0);
  auto cg = engine::cgroup::Manager::open(s.cgroup.rel_path);
  REQUIRE(cg.ok());
  REQUIRE(wait_until([&] {
    auto pids = (*cg)->pids();
    return pids.ok() && pids->size() >= 2;
  }));
  int64_t before = engine::base::now_ns();
  ::kill(status->shim_pid, SIGKILL);
  REQUIRE(wait_until([&] { return gone(status->shim_pid); }));
  auto after = f.rt().wait(s.id, 5000);
  REQUIRE_MESSAGE(after.ok(), (after.ok() ? "" : after.error().str()));
  CHECK(after->status == ContainerState::Status::Stopped);
  CHECK(after->exit_code == 137);
  CHECK(after->error == "berth-shim exited unexpectedly");
  CHECK(after->finished_at_ns >= before);
  CHECK(wait_until([&] { return gone(st.pid); }));
  auto pids = (*cg)->pids();
  REQUIRE(pids.ok());
  CHECK(pids->empty());
  // A second look agrees (the verdict is on disk), and remove cleans up as usual.
  auto again = f.rt().state(s.id);
  REQUIRE(again.ok());
  CHECK(again->exit_code == 137);
  CHECK(f.rt().remove(s.id).ok());
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/pids/" + s.cgroup.rel_path));
}
