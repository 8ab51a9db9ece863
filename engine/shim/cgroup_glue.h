#pragma once
/// The shim's use of engine::cgroup: create the container's cgroup before clone, add the
/// init (or an exec'd process) to it, find the file that counts OOM kills, and remove it
/// when create fails. An empty rel_path means no cgroup (every call is then a no-op).
#include <sys/types.h>

#include <memory>
#include <string>

#include "engine/base/error.h"
#include "engine/cgroup/cgroup.h"
#include "engine/runtime/spec.h"

namespace engine::shim {

class ContainerCgroup {
 public:
  /// Creates the cgroup with its limits; fails on impossible limits.
  static base::Result<ContainerCgroup> create(const runtime::CgroupSpec& spec);
  /// The existing cgroup of a container (for exec); NotFound if it is gone.
  static base::Result<ContainerCgroup> open(const runtime::CgroupSpec& spec);
  base::Status add(pid_t pid);
  /// Path of the file holding "oom_kill N" ("" if no memory controller).
  std::string oom_file() const;
  /// Removes the cgroup (rollback of a failed create).
  void destroy();

 private:
  std::shared_ptr<cgroup::Manager> mgr_;
};

}  // namespace engine::shim
