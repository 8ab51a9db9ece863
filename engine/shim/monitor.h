#pragma once
/// The shim's monitor: a single-threaded poll loop that owns one container after create.
/// It copies the container's output to the json-file log and to attached clients, reaps
/// the init, records the exit status in <bundle>/status and serves the control socket.
///
/// Control protocol (<bundle>/shim.sock, one request line per connection turn):
///   "start"            -> "ok" | "err <message>"     (exec the process; errors like exec not found)
///   "kill <sig>"       -> "ok" | "err <message>"
///   "wait"             -> "exited <code>" once the container has exited
///   "attach"           -> "ok" with the stdin write end (or pty master) passed by SCM_RIGHTS,
///                         then output frames: [stream(1|2),0,0,0,len:u32 big-endian] + data,
///                         Docker's multiplexed stream format; EOF when the container exits.
///   "resize <rows> <cols>" -> "ok" | "err <message>"  (TTY only)
///   "close-stdin"      -> "ok"   (drop the shim's copy of stdin: EOF once clients close theirs)
///   "exec <key|-> <ExecSpec json>" with fds stdin, stdout, stderr, error pipe [, drain fds]
///                      -> "ok <helper pid>", later "exited <code>" (see exec_table.h)
///   "exec-wait <key>"  -> "exited <code>" | "err no such exec <key>"
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "engine/runtime/status_file.h"

namespace engine::shim {

struct MonitorConfig {
  pid_t pid = 0;          ///< container init
  int pidfd = -1;
  int sync_fd = -1;       ///< shim end of the init's sync channel
  int listen_fd = -1;     ///< control socket
  int out_fd = -1, err_fd = -1;  ///< pipes from the container (pty master as out_fd with a TTY)
  int stdin_fd = -1;      ///< write end of the container's stdin (or the pty master), -1 if closed
  bool tty = false;
  std::string bundle;
  std::string log_path;
  int64_t log_max_size = 0;
  int log_max_file = 1;
  std::string oom_file;   ///< cgroup file with an "oom_kill N" line ("" = unknown)
  int64_t oom_baseline = 0;
  runtime::ShimStatus status;
};

/// Runs the loop until the container has exited and its output is drained; never returns.
[[noreturn]] void run_monitor(MonitorConfig cfg);
/// Re-executes this binary as `berth-shim monitor ...` with CFG's fds inherited, so the
/// long-lived monitor starts from a fresh, small image (the container stays our child
/// across execve). Falls back to run_monitor in place if the exec fails.
[[noreturn]] void exec_monitor(MonitorConfig cfg);
/// Rebuilds the config from the `berth-shim monitor` arguments (argv after "monitor").
bool parse_monitor_args(int argc, char** argv, MonitorConfig* cfg);
/// Value of the "oom_kill N" line of FILE, 0 if absent.
int64_t read_oom_kill_count(const std::string& file);

}  // namespace engine::shim
