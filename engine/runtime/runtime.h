#pragma once
/// Runtime: the container lifecycle as berthd sees it.
///
/// Vocabulary: a *bundle* is a container's own directory (<state_root>/<id>) holding
/// config.json (the ContainerSpec), status (written by the shim), the overlay upper/work,
/// the rootfs mountpoint, hosts/hostname/resolv.conf and shim.sock (the shim's control
/// socket). Lifecycle: create (the shim is up, the init has set up the container and
/// waits) -> start (exec the process) -> [kill/stop, pause/resume, exec, attach] ->
/// exited (Stopped; exit code recorded on disk) -> remove (cgroup and bundle gone).
/// Containers outlive berthd: list() + state() re-adopt them after a restart.
/// LinuxRuntime keeps no state in memory (everything is on disk or in the shims), so it is
/// safe to call from any thread, and two instances on one state root see the same containers.
///
/// Streams: the shim writes the json-file log (log_file.h reads it). attach() returns
/// the shim connection that carries output frames in Docker's multiplexed format
/// ([stream(1|2),0,0,0,len:u32be] + data) plus the container's stdin (or pty master) fd,
/// so berthd relays `docker attach`/`run -it` without copying input through the shim.
/// exec_start() gives berthd the exec'd process's own pipes (or pty master).
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"
#include "engine/cgroup/cgroup.h"
#include "engine/runtime/spec.h"

namespace engine::runtime {

struct ContainerState {
  enum class Status { Created, Running, Paused, Stopped };
  std::string id;
  Status status = Status::Created;
  int pid = 0;  ///< host pid of the container's init (0 once stopped)
  int exit_code = 0;
  bool oom_killed = false;
  int64_t started_at_ns = 0;
  int64_t finished_at_ns = 0;
  std::string error;  ///< why start/exec failed, if it did
};

/// "created", "running", "paused", "exited" (Docker's words).
std::string_view status_name(ContainerState::Status s);

/// A process started by exec_start(). With tty, stdout_fd is the pty master (stdin_fd a dup of it).
/// The process is run by the container's shim (its exec helper is the shim's child), so it
/// outlives berthd; conn is the shim connection that reports its exit.
struct ExecProcess {
  pid_t pid = -1;  ///< the exec helper (host pid; SIGKILL to it kills the process too)
  base::UniqueFd conn;     ///< "exited <code>" arrives here
  std::string exit_file;   ///< where the shim records a keyed exec's code ("" = anonymous)
  base::UniqueFd stdin_fd, stdout_fd, stderr_fd;
  base::UniqueFd error_fd;  ///< EOF once the process exec'd; text = why it could not start
  bool tty = false;
};

/// How an exec ended.
struct ExecExit {
  int exit_code = 0;
  std::string error;  ///< e.g. exec: "foo": executable file not found in $PATH (exit 127)
};

/// exec() run to completion with captured output.
struct ExecResult {
  int exit_code = 0;
  std::string out, err;
  std::string error;
};

/// The shim connection of attach(): output frames on conn, input to stdin_fd (invalid if closed).
struct AttachStream {
  base::UniqueFd conn;
  base::UniqueFd stdin_fd;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  /// Starts the shim and sets the container up; returns Created. BUNDLE_DIR "" = <state_root>/<id>.
  /// On a Stopped container's bundle this re-creates it in place (docker start/restart): the
  /// overlay upper dir, log and cgroup are kept. AlreadyExists if it is still live.
  virtual base::Result<ContainerState> create(const ContainerSpec& spec, const std::string& bundle_dir) = 0;
  /// Execs the container's process (errors such as a missing executable are returned here).
  virtual base::Status start(const std::string& id) = 0;
  virtual base::Status kill(const std::string& id, int sig) = 0;
  /// SIG, then SIGKILL after TIMEOUT_S seconds; returns the final state.
  virtual base::Result<ContainerState> stop(const std::string& id, int sig, int timeout_s) = 0;
  virtual base::Status pause(const std::string& id) = 0;
  virtual base::Status resume(const std::string& id) = 0;
  virtual base::Result<ContainerState> state(const std::string& id) = 0;
  /// Blocks until the container has exited; TIMEOUT_MS < 0 = forever (Unavailable on timeout).
  virtual base::Result<ContainerState> wait(const std::string& id, int timeout_ms = -1) = 0;
  /// The container must not be running; removes its cgroup and bundle.
  virtual base::Status remove(const std::string& id) = 0;
  /// Ids with a bundle on disk, sorted.
  virtual base::Result<std::vector<std::string>> list() = 0;
  virtual base::Result<ExecProcess> exec_start(const std::string& id, const ExecSpec& spec) = 0;
  virtual base::Result<ExecExit> exec_wait(ExecProcess& proc) = 0;
  /// Waits for the keyed exec KEY of container ID, which an earlier berthd may have started;
  /// TIMEOUT_MS < 0 = forever (Unavailable on timeout); NotFound if the shim never ran it.
  virtual base::Result<ExecExit> exec_wait_key(const std::string& id, const std::string& key, int timeout_ms) = 0;
  virtual base::Result<AttachStream> attach(const std::string& id) = 0;
  virtual base::Status resize(const std::string& id, unsigned rows, unsigned cols) = 0;
  /// Closes the shim's copy of the container's stdin, so the process sees EOF once every attached
  /// client has closed its copy too (Docker's StdinOnce).
  virtual base::Status close_stdin(const std::string& id) = 0;
  /// cgroup usage counters.
  virtual base::Result<cgroup::Stats> stats(const std::string& id) = 0;

  /// Runs an exec to completion, feeding STDIN_DATA and capturing stdout/stderr.
  virtual base::Result<ExecResult> exec(const std::string& id, const ExecSpec& spec, const std::string& stdin_data = {});
};

/// The real runtime: one berth-shim per container, bundles under STATE_ROOT. SHIM_PATH ""
/// = find berth-shim beside the running executable, then on PATH.
std::unique_ptr<Runtime> make_linux_runtime(const std::string& state_root, const std::string& shim_path = "");

/// Sets a pty's window size (exec with tty).
base::Status resize_tty(int pty_master, unsigned rows, unsigned cols);

}  // namespace engine::runtime
