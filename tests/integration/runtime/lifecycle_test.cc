// Lifecycle through berth-shim: create/start/wait/remove, stop, exec, logs, re-adoption, errors.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/base/fs.h"
#include "engine/runtime/log_file.h"
#include "engine/runtime/status_file.h"
#include "tests/integration/runtime/runtime_fixture.h"

using engine::runtime::ContainerState;
using test::RuntimeFixture;

namespace {

/// Polls the container's stdout log until it holds TEXT (a start returns once the process
/// exec'd, before the shell has run its first command).
bool wait_for_log(RuntimeFixture& f, const engine::runtime::ContainerSpec& s, const std::string& text) {
  for (int i = 0; i < 1000; ++i) {
    if (f.log_text(s).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_CASE("runtime: /bin/true runs, exits 0 and leaves nothing after remove") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/true"});
  auto created = f.rt().create(s, "");
  REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().str()));
  CHECK(created->status == ContainerState::Status::Created);
  CHECK(created->pid > 0);
  auto ids = f.rt().list();
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<std::string>{s.id});
  REQUIRE(f.rt().start(s.id).ok());
  auto st = f.rt().wait(s.id, 10000);
  REQUIRE(st.ok());
  CHECK(st->status == ContainerState::Status::Stopped);
  CHECK(st->exit_code == 0);
  CHECK_FALSE(st->oom_killed);
  CHECK(st->finished_at_ns >= st->started_at_ns);
  auto state = engine::runtime::read_status(f.state_root() + "/" + s.id + "/status");
  REQUIRE(state.ok());
  int shim_pid = state->shim_pid;
  REQUIRE(f.rt().remove(s.id).ok());
  CHECK_FALSE(engine::base::path_exists(f.state_root() + "/" + s.id));
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/memory/" + s.cgroup.rel_path));
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/pids/" + s.cgroup.rel_path));
  CHECK(RuntimeFixture::mounts_under(f.state_root()) == 0);
  std::string shim_stat = engine::base::read_file("/proc/" + std::to_string(shim_pid) + "/stat").value_or(") Z");
  CHECK(shim_stat.find(") Z") != std::string::npos);  // gone, or a zombie waiting for its reaper
  CHECK(f.rt().state(s.id).error().code == engine::base::Code::NotFound);
}

TEST_CASE("runtime: exit code and logs keep order with streams apart") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "i=1; while [ $i -le 200 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done; exit 7"});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 7);
  std::string want_out, want_err;
  for (int i = 1; i <= 200; ++i) {
    want_out += "out" + std::to_string(i) + "\n";
    want_err += "err" + std::to_string(i) + "\n";
  }
  CHECK(f.log_text(s, "stdout") == want_out);
  CHECK(f.log_text(s, "stderr") == want_err);
  auto entries = engine::runtime::read_log(s.log.path);
  REQUIRE(entries.ok());
  for (size_t i = 1; i < entries->size(); ++i) CHECK((*entries)[i - 1].time_ns <= (*entries)[i].time_ns);
}

TEST_CASE("runtime: stop of a process ignoring SIGTERM ends by SIGKILL after the grace period") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done"});
  s.namespaces.erase(s.namespaces.begin());  // no pid namespace: sh is not pid 1, so the trap is what ignores TERM
  f.run(s);
  REQUIRE(wait_for_log(f, s, "ready"));  // the trap is set
  auto t0 = std::chrono::steady_clock::now();
  auto st = f.rt().stop(s.id, SIGTERM, 1);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(st.ok());
  CHECK(st->status == ContainerState::Status::Stopped);
  CHECK(st->exit_code == 128 + SIGKILL);
  CHECK(secs >= 0.9);
  CHECK(secs < 5);
}

TEST_CASE("runtime: stop with SIGTERM ends a cooperative process quickly") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "trap 'exit 3' TERM; echo ready; while true; do sleep 0.1; done"});
  f.run(s);
  REQUIRE(wait_for_log(f, s, "ready"));
  auto st = f.rt().stop(s.id, SIGTERM, 10);
  REQUIRE(st.ok());
  CHECK(st->exit_code == 3);
}

TEST_CASE("runtime: exec runs in the container and returns its code") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  f.run(s);
  engine::runtime::ExecSpec ex;
  ex.args = {"/bin/sh", "-c", "echo pid1=$(cat /proc/1/comm) host=$(hostname); echo oops >&2; exit 3"};
  auto r = f.rt().exec(s.id, ex);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().str()));
  CHECK(r->exit_code == 3);
  CHECK(r->out == "pid1=sleep host=box\n");
  CHECK(r->err == "oops\n");
  ex.args = {"cat"};
  ex.user = "app";
  auto piped = f.rt().exec(s.id, ex, "hello\n");
  REQUIRE(piped.ok());
  CHECK(piped->out == "hello\n");
  ex.args = {"id", "-u"};
  auto id = f.rt().exec(s.id, ex);
  REQUIRE(id.ok());
  CHECK(id->out == "1000\n");
  ex.user.clear();
  ex.args = {"/bin/sh", "-c", "echo $FOO $(pwd)"};
  ex.env = {"FOO=bar"};
  ex.cwd = "/tmp";
  auto env = f.rt().exec(s.id, ex);
  REQUIRE(env.ok());
  CHECK(env->out == "bar /tmp\n");
  ex.env.clear();
  ex.cwd.clear();
  ex.args = {"nosuchcmd"};
  auto missing = f.rt().exec(s.id, ex);
  REQUIRE(missing.ok());
  CHECK(missing->exit_code == 127);
  CHECK(missing->error == "exec: \"nosuchcmd\": executable file not found in $PATH");
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}

TEST_CASE("runtime: a missing command fails start with exit 127 and the message in the log") {
  RuntimeFixture f;
  auto s = f.spec({"foo"});
  REQUIRE(f.rt().create(s, "").ok());
  auto started = f.rt().start(s.id);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message.find("exec: \"foo\": executable file not found in $PATH") != std::string::npos);
  auto st = f.rt().wait(s.id, 10000);
  REQUIRE(st.ok());
  CHECK(st->exit_code == 127);
  CHECK(st->error == "exec: \"foo\": executable file not found in $PATH");
  CHECK(f.log_text(s, "stderr") == "exec: \"foo\": executable file not found in $PATH\n");
}

TEST_CASE("runtime: bad user, missing rootfs and impossible memory limit fail before anything is created") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/true"});
  s.process.user = "nosuchuser";
  auto r = f.rt().create(s, "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().str() == "unable to find user nosuchuser: no matching entries in passwd file");
  CHECK_FALSE(engine::base::path_exists(f.state_root() + "/" + s.id));
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/memory/" + s.cgroup.rel_path));

  auto s2 = f.spec({"/bin/true"});
  s2.rootfs.path = f.rootfs() + "-missing";
  auto r2 = f.rt().create(s2, "");
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code == engine::base::Code::NotFound);
  CHECK_FALSE(engine::base::path_exists(f.state_root() + "/" + s2.id));

  auto s3 = f.spec({"/bin/true"});
  s3.cgroup.resources.memory_limit = 1024;
  auto r3 = f.rt().create(s3, "");
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error().code == engine::base::Code::InvalidArgument);
  CHECK_FALSE(engine::base::path_exists(f.state_root() + "/" + s3.id));
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/memory/" + s3.cgroup.rel_path));
  CHECK(test::RuntimeFixture::mounts_under(f.state_root()) == 0);
}

TEST_CASE("runtime: kill -9 of the supervising parent leaves the container running for a new client") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t parent = ::fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    auto rt = engine::runtime::make_linux_runtime(f.state_root(), BERTH_BIN_DIR "/berth-shim");
    bool ok = rt->create(s, "").ok() && rt->start(s.id).ok();
    (void)!::write(ready[1], ok ? "1" : "0", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  CHECK(c == '1');
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  auto fresh = engine::runtime::make_linux_runtime(f.state_root(), BERTH_BIN_DIR "/berth-shim");
  auto st = fresh->state(s.id);
  REQUIRE(st.ok());
  CHECK(st->status == ContainerState::Status::Running);
  CHECK(::kill(st->pid, 0) == 0);
  auto stopped = fresh->stop(s.id, SIGTERM, 1);
  REQUIRE(stopped.ok());
  CHECK(stopped->status == ContainerState::Status::Stopped);
  CHECK(fresh->remove(s.id).ok());
}

TEST_CASE("runtime: pause freezes and resume thaws") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  f.run(s);
  REQUIRE(f.rt().pause(s.id).ok());
  CHECK(f.rt().state(s.id)->status == ContainerState::Status::Paused);
  REQUIRE(f.rt().resume(s.id).ok());
  CHECK(f.rt().state(s.id)->status == ContainerState::Status::Running);
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}

TEST_CASE("runtime: attach streams output frames") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "read line; echo got $line; cat; echo bye >&2"});
  s.process.open_stdin = true;
  REQUIRE(f.rt().create(s, "").ok());
  auto a = f.rt().attach(s.id);
  REQUIRE_MESSAGE(a.ok(), (a.ok() ? "" : a.error().str()));
  REQUIRE(a->stdin_fd.valid());
  REQUIRE(f.rt().start(s.id).ok());
  REQUIRE(::write(a->stdin_fd.get(), "x\nmore\n", 7) == 7);
  a->stdin_fd.reset();
  REQUIRE(f.rt().close_stdin(s.id).ok());  // cat sees EOF
  auto [out, err] = test::read_frames(a->conn.get());
  CHECK(out == "got x\nmore\n");
  CHECK(err == "bye\n");
}

TEST_CASE("runtime: a stopped container is created again in place, keeping its filesystem changes") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "cat /root/count 2>/dev/null; echo run >> /root/count"});
  s.rootfs.path.clear();
  s.rootfs.lowerdirs = {f.rootfs()};
  CHECK(f.run_to_exit(s).exit_code == 0);
  auto again = f.rt().create(s, "");
  REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error().str()));
  REQUIRE(f.rt().start(s.id).ok());
  CHECK(f.rt().wait(s.id, 10000)->exit_code == 0);
  CHECK(f.log_text(s) == "run\n");
  // A live container cannot be created twice.
  auto live = f.spec({"/bin/sleep", "1000"});
  f.run(live);
  CHECK(f.rt().create(live, "").error().code == engine::base::Code::AlreadyExists);
  CHECK(f.rt().stop(live.id, SIGKILL, 0).ok());
}

TEST_CASE("runtime: exec with a tty") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sleep", "1000"});
  f.run(s);
  engine::runtime::ExecSpec ex;
  ex.args = {"/bin/sh", "-c", "[ -t 1 ] && echo tty; stty size"};
  ex.tty = true;
  ex.tty_rows = 12;  // set before the process starts: it reads the size at once
  ex.tty_cols = 34;
  auto p = f.rt().exec_start(s.id, ex);
  REQUIRE(p.ok());
  p->stdin_fd.reset();
  auto exit = f.rt().exec_wait(*p);
  REQUIRE(exit.ok());
  CHECK(exit->exit_code == 0);
  CHECK(exit->error == "");
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(p->stdout_fd.get(), buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  CHECK(out == "tty\r\n12 34\r\n");
  CHECK(f.rt().stop(s.id, SIGKILL, 0).ok());
}
