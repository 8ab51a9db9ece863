#pragma once
/// ExecTable: the processes exec'd into one container, owned by its monitor.
///
/// Each exec is a `berth-shim exec` helper spawned by the monitor (so it is the shim's child,
/// not berthd's, and a berthd restart or `kill -9` does not touch it). berthd passes the
/// process's stdio and error pipe over the control socket and keeps the other ends; it waits
/// on the same connection for "exited <code>". A keyed exec (a Docker exec instance) also
/// leaves its code in <bundle>/execs/<key>, so a new berthd can still learn how it ended.
/// berthd may also pass its own read ends ("drain" fds): when no client waits for the exec
/// any more (berthd died), the monitor reads and discards the output so the process never
/// blocks on a full pipe nor dies of SIGPIPE.
#include <poll.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::shim {

class ExecTable {
 public:
  /// Execs of the container whose init is CONTAINER_PID, bundle BUNDLE.
  ExecTable(std::string bundle, pid_t container_pid) : bundle_(std::move(bundle)), container_pid_(container_pid) {}
  ExecTable(const ExecTable&) = delete;
  ExecTable& operator=(const ExecTable&) = delete;
  ~ExecTable();

  /// Spawns the helper for SPEC_JSON (runtime::ExecSpec). FDS: stdin, stdout, stderr, error
  /// pipe, then any drain fds. Returns the helper's pid.
  base::Result<pid_t> start(const std::string& key, const std::string& spec_json, std::vector<base::UniqueFd> fds);
  /// Pid of the running exec KEY, if any.
  std::optional<pid_t> find(const std::string& key) const;
  /// Appends what to poll: each exec's pidfd, then its drain fds while draining.
  void add_poll(std::vector<pollfd>& out) const;
  /// Handles the revents of the entries add_poll appended at FDS; returns (pid, exit code)
  /// of every exec that ended (and records keyed ones).
  std::vector<std::pair<pid_t, int>> on_poll(const pollfd* fds);
  /// Starts discarding PID's output (nobody reads it any more).
  void drain(pid_t pid);
  /// The container is gone: waits up to TIMEOUT_MS for the helpers, kills the rest, and
  /// returns how each ended.
  std::vector<std::pair<pid_t, int>> finish_all(int timeout_ms);
  bool empty() const { return execs_.empty(); }

 private:
  struct Exec {
    std::string key;
    pid_t pid = -1;
    base::UniqueFd pidfd;
    std::vector<base::UniqueFd> drain;
    bool draining = false;
  };
  /// Reaps E (already exited), records its code; returns it.
  int reap(Exec& e);

  std::string bundle_;
  pid_t container_pid_;
  std::vector<Exec> execs_;
};

}  // namespace engine::shim
