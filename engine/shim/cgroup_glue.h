#pragma once
/// The shim's use of engine::cgroup: create the container's cgroup before clone, clone the
/// init straight into it (or add an exec'd process), find the file that counts OOM kills,
/// and remove it when create fails. An empty rel_path means no cgroup (every call is then a
/// no-op).
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
  /// Clones a child with CLONE_* flags, fork-like (0 in the child), born in the cgroup2 leaf
  /// (clone3 CLONE_INTO_CGROUP); the child then calls cgroup::join_self(*join_handles()) for
  /// the v1 hierarchies. *shim_joins is set when the kernel cannot do that (before 5.7): the
  /// caller then calls add(pid).
  base::Result<pid_t> clone_child(unsigned long flags, bool* shim_joins);
  /// What the child of clone_child joins by itself (nullptr without a cgroup).
  const cgroup::JoinHandles* join_handles() const { return join_.get(); }
  /// Path of the file holding "oom_kill N" ("" if no memory controller).
  std::string oom_file() const;
  /// Removes the cgroup (rollback of a failed create).
  void destroy();

 private:
  std::shared_ptr<cgroup::Manager> mgr_;
  std::shared_ptr<cgroup::JoinHandles> join_;  ///< opened by create()
};

}  // namespace engine::shim
