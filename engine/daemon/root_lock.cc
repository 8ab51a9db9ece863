#include "engine/daemon/root_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/strings.h"

namespace engine::daemon {

using namespace engine::base;

Result<RootLock> RootLock::acquire(const std::string& root) {
  BERTH_TRY(make_dirs(root, 0711));
  std::string lock_path = root + "/berthd.lock";
  RootLock lock;
  lock.fd_.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.fd_) return sys_error("open " + lock_path);
  lock.pid_path_ = root + "/berthd.pid";
  if (::flock(lock.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return sys_error("lock " + lock_path);
    std::string holder = "another process";
    if (auto pid = read_file(lock.pid_path_); pid && !trim(*pid).empty()) holder = "pid " + std::string(trim(*pid));
    lock.pid_path_.clear();
    return precondition("another berthd (" + holder + ") is already running with root " + root);
  }
  BERTH_TRY(write_file_atomic(lock.pid_path_, std::to_string(::getpid()) + "\n", 0644));
  return lock;
}

RootLock::~RootLock() {
  if (fd_ && !pid_path_.empty()) ::unlink(pid_path_.c_str());
}

}  // namespace engine::daemon
