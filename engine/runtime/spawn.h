#pragma once
/// Starting helper binaries without forking the caller (posix_spawn): berthd starts
/// berth-shim, a shim's monitor starts its exec helpers. Safe to use from any thread.
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::runtime {

/// A spawned helper: pid plus the parent's ends of the requested pipes.
struct Spawned {
  pid_t pid = -1;
  base::UniqueFd stdin_fd, stdout_fd, stderr_fd, extra_fd;
};

/// posix_spawn ARGV with fds 0..2 set to STDIO (-1 = /dev/null) and EXTRA_CHILD_FD as fd 3 if >= 0.
base::Result<pid_t> spawn(const std::vector<std::string>& argv, const int stdio[3], int extra_child_fd);
/// waitpid, retrying EINTR; returns the exit code (128+signal when killed).
base::Result<int> wait_pid(pid_t pid);
/// Reads FD to EOF.
std::string read_all(int fd);

}  // namespace engine::runtime
