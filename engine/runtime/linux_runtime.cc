// LinuxRuntime: the Runtime over berth-shim processes and bundle directories.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/cgroup/cgroup.h"
#include "engine/runtime/linux_runtime.h"
#include "engine/runtime/runtime.h"
#include "engine/runtime/shim_client.h"
#include "engine/runtime/status_file.h"
#include "engine/sys/fd_passing.h"
#include "engine/sys/syscalls.h"

namespace engine::runtime {

using base::Result;
using base::Status;
using base::UniqueFd;
using Status_ = ContainerState::Status;

namespace {

/// PID is a berth-shim that has not exited (a zombie waiting for its reaper counts as gone,
/// and so does a recycled pid now naming another program).
bool shim_alive(int pid) {
  if (pid <= 0) return false;
  std::string stat = base::read_file("/proc/" + std::to_string(pid) + "/stat").value_or("");
  size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) return false;
  if (stat.compare(open + 1, 10, "berth-shim") != 0) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

/// Waits up to TIMEOUT_MS for the shim PID to exit (no polling: its pidfd says when).
void wait_shim_exit(int pid, int timeout_ms) {
  if (!shim_alive(pid)) return;
  auto fd = sys::pidfd_open(pid);
  if (!fd) return;
  pollfd p{fd->get(), POLLIN, 0};
  while (::poll(&p, 1, timeout_ms) < 0 && errno == EINTR) {
  }
}


ContainerState to_state(const std::string& id, const ShimStatus& s, bool paused) {
  ContainerState st;
  st.id = id;
  st.status = s.status == "created" ? Status_::Created : s.status == "running" ? Status_::Running : Status_::Stopped;
  if (st.status == Status_::Running && paused) st.status = Status_::Paused;
  st.pid = st.status == Status_::Stopped ? 0 : s.pid;
  st.exit_code = s.exit_code;
  st.oom_killed = s.oom_killed;
  st.started_at_ns = s.started_at_ns;
  st.finished_at_ns = s.finished_at_ns;
  st.error = s.error;
  return st;
}


}  // namespace

base::Error from_reply(const std::string& reply, const std::string& what) {
  std::string msg = reply.rfind("err ", 0) == 0 ? reply.substr(4) : reply;
  base::Code code = msg.find("executable file not found") != std::string::npos ||
                            msg.find("no such file or directory") != std::string::npos
                        ? base::Code::InvalidArgument
                    : msg.find("not running") != std::string::npos || msg.find("not in created") != std::string::npos
                        ? base::Code::FailedPrecondition
                        : base::Code::Internal;
  return base::make_error(code, what + ": " + msg);
}

LinuxRuntime::LinuxRuntime(std::string root, std::string shim) : root_(std::move(root)), shim_(std::move(shim)) {
  if (DIR* d = ::opendir(root_.c_str())) {
    while (struct dirent* e = ::readdir(d))
      if (std::string_view(e->d_name).rfind(".trash-", 0) == 0) trash_.remove(root_ + "/" + e->d_name);
    ::closedir(d);
  }
}

Result<ContainerState> LinuxRuntime::create(const ContainerSpec& spec, const std::string& bundle_dir) {
  BERTH_TRY(validate_spec(spec));
  std::string dir = bundle(spec.id);
  if (!bundle_dir.empty() && bundle_dir != dir)
    return base::invalid("bundle dir " + bundle_dir + " is not " + dir);
  bool restart = false;
  if (base::path_exists(dir + "/status")) {
    // A stopped container may be created again in place: its upper dir (filesystem changes) stays.
    auto prev = state(spec.id);
    if (!prev || prev->status != Status_::Stopped) return base::conflict("container " + spec.id + " already exists");
    for (const char* f : {"status", "shim.sock", "paused"}) ::unlink((dir + "/" + f).c_str());
    restart = true;
  }
  std::string shim = shim_binary();
  if (shim.empty()) return base::make_error(base::Code::Unavailable, "berth-shim not found");
  bool made_dir = !base::path_exists(dir);
  BERTH_TRY(base::make_dirs(dir, 0711));
  auto undo = [&] {
    if (restart) {
      ::unlink((dir + "/status").c_str());
    } else if (made_dir) {
      (void)base::remove_all(dir);
    } else {
      for (const char* f : {"config.json", "status", "rootfs", "upper", "work", "hosts", "hostname", "resolv.conf"})
        (void)base::remove_all(dir + "/" + f);
    }
  };
  Status wrote = write_file_nosync(dir + "/config.json", spec_to_string(spec), 0600);
  if (!wrote) {
    undo();
    return wrote.take_error();
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  int stdio[3] = {-1, wr.get(), 2};
  auto pid = spawn({shim, "create", "--bundle", dir}, stdio, -1);
  wr.reset();
  if (!pid) {
    undo();
    return pid.take_error();
  }
  std::string out = read_all(rd.get());
  (void)wait_pid(*pid);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (out.rfind("ok ", 0) != 0) {
    undo();
    // "err <code> <errno> <message>"
    std::vector<std::string> parts = base::split(out, ' ');
    if (parts.size() < 4 || parts[0] != "err")
      return base::internal("create container " + spec.id + ": shim failed: " + out);
    size_t msg_at = parts[0].size() + parts[1].size() + parts[2].size() + 3;
    base::Error e = base::make_error(static_cast<base::Code>(std::atoi(parts[1].c_str())), out.substr(msg_at));
    return e;
  }
  return state(spec.id);
}

Status LinuxRuntime::request_ok(const std::string& id, const std::string& line) {
  auto reply = shim_request(bundle(id), line);
  if (!reply) {
    auto st = state(id);
    if (st && st->status == Status_::Stopped)
      return base::precondition("container " + id + " is not running");
    return reply.take_error();
  }
  if (*reply != "ok") return from_reply(*reply, line.substr(0, line.find(' ')) + " container " + id);
  return {};
}

Status LinuxRuntime::start(const std::string& id) {
  auto st = state(id);
  if (!st) return st.take_error();
  if (st->status != Status_::Created) return base::precondition("container " + id + " is not in created state");
  return request_ok(id, "start");
}

Status LinuxRuntime::kill(const std::string& id, int sig) {
  auto st = state(id);
  if (!st) return st.take_error();
  if (st->status == Status_::Stopped) return base::precondition("container " + id + " is not running");
  return request_ok(id, "kill " + std::to_string(sig));
}

Result<ContainerState> LinuxRuntime::stop(const std::string& id, int sig, int timeout_s) {
  auto st = state(id);
  if (!st) return st;
  if (st->status == Status_::Stopped) return st;
  if (st->status == Status_::Paused) (void)freeze(id, false);
  if (sig > 0 && sig != SIGKILL) {
    (void)request_ok(id, "kill " + std::to_string(sig));
    auto done = wait(id, timeout_s * 1000);
    if (done) return done;
  }
  (void)request_ok(id, "kill " + std::to_string(SIGKILL));
  return wait(id, -1);
}

Result<ContainerState> LinuxRuntime::state(const std::string& id) {
  std::string dir = bundle(id);
  auto s = read_status(dir + "/status");
  if (!s) {
    if (!base::path_exists(dir + "/config.json")) return base::not_found("no such container: " + id);
    return s.take_error();
  }
  if (s->status != "stopped" && !shim_alive(s->shim_pid)) {
    // A dead shim left its last word in the status file, unless it was killed.
    auto again = read_status(dir + "/status");
    if (again) s = std::move(again);
    if (s->status != "stopped") settle_orphan(id, *s);
  }
  return to_state(id, *s, base::path_exists(dir + "/paused"));
}

void LinuxRuntime::settle_orphan(const std::string& id, ShimStatus& s) {
  // The init has PR_SET_PDEATHSIG(SIGKILL) towards the shim; whatever else is left (no pid
  // namespace, or a process that escaped before the signal) is killed through the cgroup.
  auto spec = load_spec(id);
  if (spec && !spec->cgroup.rel_path.empty()) {
    if (auto mgr = cgroup::Manager::open(spec->cgroup.rel_path)) {
      for (int i = 0; i < 200; ++i) {
        auto left = (*mgr)->pids();
        if (!left || left->empty()) break;
        (void)(*mgr)->kill_all(SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }
  bool was_started = s.status == "running";
  s.status = "stopped";
  s.exit_code = was_started ? 128 + SIGKILL : 255;
  s.finished_at_ns = base::now_ns();
  s.error = "berth-shim exited unexpectedly";
  // Record it, so every later look (and a new berthd) agrees.
  (void)write_status(bundle(id) + "/status", s);
}

Result<ContainerState> LinuxRuntime::wait(const std::string& id, int timeout_ms) {
  auto st = state(id);
  if (!st || st->status == Status_::Stopped) return st;
  auto reply = shim_request(bundle(id), "wait", timeout_ms);
  if (!reply && reply.error().message.find("timed out") != std::string::npos) return reply.take_error();
  // The shim records the status before answering or closing: read it back.
  for (int i = 0; i < 100; ++i) {
    st = state(id);
    if (!st || st->status == Status_::Stopped) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return st;
}

Status LinuxRuntime::freeze(const std::string& id, bool on) {
  auto spec = load_spec(id);
  if (!spec) return spec.take_error();
  auto st = state(id);
  if (!st) return st.take_error();
  if (st->status != (on ? Status_::Running : Status_::Paused))
    return base::precondition("container " + id + (on ? " is not running" : " is not paused"));
  if (spec->cgroup.rel_path.empty()) return base::precondition("container " + id + " has no cgroup to freeze");
  auto mgr = cgroup::Manager::open(spec->cgroup.rel_path);
  if (!mgr) return mgr.take_error();
  BERTH_TRY(on ? (*mgr)->freeze() : (*mgr)->thaw());
  if (on) return write_file_nosync(bundle(id) + "/paused", "");
  ::unlink((bundle(id) + "/paused").c_str());
  return {};
}

Status LinuxRuntime::remove(const std::string& id) {
  auto st = state(id);
  if (!st) return st.take_error();
  if (st->status == Status_::Running || st->status == Status_::Paused)
    return base::precondition("container " + id + " is running: stop it first");
  if (st->status == Status_::Created) {
    auto stopped = stop(id, SIGKILL, 0);
    if (!stopped) return stopped.take_error();
  }
  // The shim exits right after recording the exit: let it go before removing its bundle.
  if (auto shim = read_status(bundle(id) + "/status"); shim) wait_shim_exit(shim->shim_pid, 1000);
  auto spec = load_spec(id);
  if (spec && !spec->cgroup.rel_path.empty()) {
    auto mgr = cgroup::Manager::open(spec->cgroup.rel_path);
    if (mgr) BERTH_TRY((*mgr)->destroy());
  }
  // Out of sight with one rename; the tree (overlay upper/work of a just-exited container is
  // slow to delete) goes on the remover's thread.
  std::string trash = root_ + "/.trash-" + id + "-" + std::to_string(base::now_ns());
  if (::rename(bundle(id).c_str(), trash.c_str()) != 0) return base::remove_all(bundle(id));
  trash_.remove(std::move(trash));
  return {};
}

Result<std::vector<std::string>> LinuxRuntime::list() {
  std::vector<std::string> ids;
  DIR* d = ::opendir(root_.c_str());
  if (!d) return ids;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // ".", "..", ".cache", ".trash-*"
    if (base::path_exists(root_ + "/" + name + "/config.json")) ids.push_back(name);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<AttachStream> LinuxRuntime::attach(const std::string& id) {
  auto fd = connect_shim(bundle(id));
  if (!fd) return base::precondition("container " + id + " is not running");
  BERTH_TRY(sys::write_all(fd->get(), "attach\n"));
  std::vector<UniqueFd> fds;
  auto reply = sys::recv_fds(fd->get(), 3, &fds);
  if (!reply) return reply.take_error();
  if (*reply != "ok\n") return base::internal("attach container " + id + ": unexpected reply");
  AttachStream a;
  a.conn = std::move(*fd);
  if (!fds.empty()) a.stdin_fd = std::move(fds[0]);
  return a;
}

Status LinuxRuntime::resize(const std::string& id, unsigned rows, unsigned cols) {
  return request_ok(id, "resize " + std::to_string(rows) + " " + std::to_string(cols));
}

Result<cgroup::Stats> LinuxRuntime::stats(const std::string& id) {
  auto spec = load_spec(id);
  if (!spec) return spec.take_error();
  if (spec->cgroup.rel_path.empty()) return cgroup::Stats{};
  auto mgr = cgroup::Manager::open(spec->cgroup.rel_path);
  if (!mgr) return mgr.take_error();
  return (*mgr)->stats();
}

std::unique_ptr<Runtime> make_linux_runtime(const std::string& state_root, const std::string& shim_path) {
  return std::make_unique<LinuxRuntime>(state_root, shim_path);
}

}  // namespace engine::runtime
