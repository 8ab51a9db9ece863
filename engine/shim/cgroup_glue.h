#pragma once
/// The shim's use of engine::cgroup: create the container's cgroup before clone, add the
/// init to it, find the file that counts OOM kills, and remove it when create fails.
#include <sys/types.h>

#include <string>

#include "engine/base/error.h"
#include "engine/runtime/spec.h"

namespace engine::shim {

class ContainerCgroup {
 public:
  /// Creates the cgroup (no-op when rel_path is empty); fails on impossible limits.
  static base::Result<ContainerCgroup> create(const runtime::CgroupSpec& spec);
  /// The existing cgroup of a container (for exec).
  static ContainerCgroup open(const runtime::CgroupSpec& spec);
  base::Status add(pid_t pid);
  /// Path of the file holding "oom_kill N" ("" if no memory controller).
  std::string oom_file() const;
  /// Removes the cgroup (rollback of a failed create).
  void destroy();

 private:
  std::string rel_path_;
};

}  // namespace engine::shim
