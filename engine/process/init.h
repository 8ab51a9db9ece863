#pragma once
/// The container init: the code that runs in the cloned child, inside the new namespaces,
/// between clone and execve. Everything it needs is prepared by berth-shim beforehand
/// (InitConfig), so the init only applies it:
///   Go -> join cgroup (v1 tasks) -> join namespaces -> rootfs -> hostname, sysctls -> masks ->
///   rlimits -> stdio -> [Joined, if the shim joins us ->] unshare cgroup ns -> Ready -> (Start)
///   -> user, capabilities, cwd, lookup, seccomp -> execve.
/// Any failure is sent back over the sync channel and the init exits.
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/cgroup/cgroup.h"
#include "engine/process/security.h"
#include "engine/process/sync.h"
#include "engine/process/user.h"
#include "engine/rootfs/plan.h"
#include "engine/runtime/spec.h"

namespace engine::process {

struct InitConfig {
  const runtime::ContainerSpec* spec = nullptr;
  rootfs::MountPlan plan;
  ExecUser user;
  SecurityPlan security;
  const SyncChannel* channel = nullptr;        ///< the init's end
  int stdio[3] = {-1, -1, -1};                 ///< become fds 0, 1, 2
  bool terminal = false;                       ///< stdio is a pty slave: setsid + TIOCSCTTY
  bool new_cgroup_ns = false;                  ///< unshare(CLONE_NEWCGROUP) once in the cgroup
  const cgroup::JoinHandles* cgroup = nullptr;  ///< joined by the init itself first (nullptr = none)
  bool shim_joins_cgroup = false;              ///< the shim writes cgroup.procs and says Joined
  bool new_user_ns = false;
  std::vector<std::pair<int, std::string>> joins;  ///< (CLONE_NEW* type, ns path) to setns, pid excluded
  std::vector<std::string> argv, envp;         ///< prepared argv/env (env includes PATH and HOME)
};

/// Runs the init in the cloned child; never returns.
[[noreturn]] void run_init(const InitConfig& cfg);

/// Finds FILE along PATH (from ENV, or Docker's default) as execvp would; "" if not found.
std::string find_executable(const std::string& file, const std::vector<std::string>& env);
/// The "exec: \"foo\": executable file not found in $PATH" message Docker prints.
std::string not_found_message(const std::string& file);

/// Runs as pid 1 when init: true: forwards signals to CHILD, reaps every zombie and exits
/// with the child's status. Never returns.
[[noreturn]] void run_reaper(pid_t child);

}  // namespace engine::process
