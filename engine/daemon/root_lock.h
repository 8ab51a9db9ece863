#pragma once
/// RootLock: the exclusive lock a berthd holds on its --root (flock on
/// <root>/berthd.lock) plus the pid file, so two daemons never share state.
#include <string>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::daemon {

class RootLock {
 public:
  /// Creates root if needed and takes the lock; FailedPrecondition naming the holder's pid if taken.
  static engine::base::Result<RootLock> acquire(const std::string& root);
  RootLock(RootLock&&) = default;
  RootLock& operator=(RootLock&&) = default;
  ~RootLock();

 private:
  RootLock() = default;
  engine::base::UniqueFd fd_;
  std::string pid_path_;
};

}  // namespace engine::daemon
