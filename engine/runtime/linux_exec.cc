// LinuxRuntime exec: the process runs under the container's shim (engine/shim/exec_table.h);
// berthd holds its pipes and a shim connection that reports the exit.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "engine/runtime/linux_runtime.h"
#include "engine/runtime/shim_client.h"
#include "engine/sys/fd_passing.h"

namespace engine::runtime {

using base::Result;
using base::UniqueFd;

namespace {

/// The process's ends (CHILD) and ours (in PROC) of stdio: a pty, or three pipes.
base::Status make_exec_stdio(const ExecSpec& spec, UniqueFd child[3], ExecProcess& proc) {
  if (spec.tty) {
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    char name[128];
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0 ||
        ::ptsname_r(master.get(), name, sizeof name) != 0)
      return base::sys_error("open pty");
    UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) return base::sys_error("open pty slave");
    // Sized before the process can ask (a resize after start would race with it).
    if (spec.tty_rows && spec.tty_cols) BERTH_TRY(resize_tty(master.get(), spec.tty_rows, spec.tty_cols));
    for (int i = 0; i < 3; ++i) child[i].reset(::fcntl(slave.get(), F_DUPFD_CLOEXEC, 0));
    proc.stdin_fd.reset(::fcntl(master.get(), F_DUPFD_CLOEXEC, 0));
    proc.stdout_fd = std::move(master);
    return {};
  }
  int p[2];
  for (int i = 0; i < 3; ++i) {
    if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
    if (i == 0) {
      child[0].reset(p[0]);
      proc.stdin_fd.reset(p[1]);
    } else {
      (i == 1 ? proc.stdout_fd : proc.stderr_fd).reset(p[0]);
      child[i].reset(p[1]);
    }
  }
  return {};
}

/// "exited <code>" -> code; -1 if LINE is something else.
int exit_code_of(const std::string& line) {
  if (line.rfind("exited ", 0) != 0) return -1;
  return std::atoi(line.c_str() + 7);
}

/// A keyed exec's code recorded by the shim, if it has ended.
std::optional<int> recorded_exit(const std::string& file) {
  if (file.empty()) return std::nullopt;
  auto text = base::read_file(file);
  if (!text || text->empty()) return std::nullopt;
  return std::atoi(text->c_str());
}

}  // namespace

Result<ExecProcess> LinuxRuntime::exec_start(const std::string& id, const ExecSpec& spec) {
  if (spec.args.empty()) return base::invalid("exec: no command");
  if (spec.key.find('/') != std::string::npos || spec.key.find(' ') != std::string::npos)
    return base::invalid("exec: bad key " + spec.key);
  ExecProcess proc;
  proc.tty = spec.tty;
  UniqueFd child[3];
  BERTH_TRY(make_exec_stdio(spec, child, proc));
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
  proc.error_fd.reset(p[0]);
  UniqueFd err_w(p[1]);
  auto conn = connect_shim(bundle(id));
  if (!conn) {
    auto st = state(id);
    if (!st) return st.take_error();
    return base::precondition("container " + id + " is not running");
  }
  // The shim keeps dups of our read ends and drains them if we go away mid-exec.
  std::vector<int> fds = {child[0].get(), child[1].get(), child[2].get(), err_w.get(), proc.stdout_fd.get()};
  if (proc.stderr_fd) fds.push_back(proc.stderr_fd.get());
  std::string line = "exec " + (spec.key.empty() ? std::string("-") : spec.key) + " " + nlohmann::json(spec).dump() + "\n";
  BERTH_TRY(sys::send_fds(conn->get(), line, fds));
  for (UniqueFd& fd : child) fd.reset();
  err_w.reset();
  auto reply = sys::read_line(conn->get());
  if (!reply) return base::precondition("container " + id + " is not running");
  if (reply->rfind("ok ", 0) != 0) return from_reply(*reply, "exec in container " + id);
  proc.pid = std::atoi(reply->c_str() + 3);
  proc.conn = std::move(*conn);
  if (!spec.key.empty()) proc.exit_file = bundle(id) + "/execs/" + spec.key;
  return proc;
}

Result<ExecExit> LinuxRuntime::exec_wait(ExecProcess& proc) {
  ExecExit out;
  if (proc.error_fd) {
    out.error = read_all(proc.error_fd.get());
    proc.error_fd.reset();
    while (!out.error.empty() && out.error.back() == '\n') out.error.pop_back();
  }
  int code = -1;
  if (proc.conn) {
    auto line = sys::read_line(proc.conn.get());
    proc.conn.reset();
    if (line) code = exit_code_of(*line);
  }
  if (code < 0) {
    auto rec = recorded_exit(proc.exit_file);
    if (!rec) return base::make_error(base::Code::Unavailable, "exec: the container's shim went away");
    code = *rec;
  }
  out.exit_code = code;
  proc.pid = -1;
  return out;
}

Result<ExecExit> LinuxRuntime::exec_wait_key(const std::string& id, const std::string& key, int timeout_ms) {
  std::string file = bundle(id) + "/execs/" + key;
  if (key.empty() || key.find('/') != std::string::npos) return base::invalid("exec: bad key " + key);
  if (auto rec = recorded_exit(file)) return ExecExit{*rec, {}};
  auto reply = shim_request(bundle(id), "exec-wait " + key, timeout_ms);
  if (reply) {
    int code = exit_code_of(*reply);
    if (code >= 0) return ExecExit{code, {}};
  } else if (reply.error().message.find("timed out") != std::string::npos) {
    return reply.take_error();
  }
  // Ended between the two looks, or the shim is gone: the file has the last word.
  if (auto rec = recorded_exit(file)) return ExecExit{*rec, {}};
  return base::not_found("no exec " + key + " in container " + id);
}

}  // namespace engine::runtime
