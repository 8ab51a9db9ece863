#pragma once
/// Integration fixtures: a forked child held at a gate until the test has placed it in a
/// cgroup, and a sweeper that removes every berth-test-<pid>/ cgroup even after a failure.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace itest {

/// A forked child: runs job(report_fd) once go() is called; SIGKILLed and reaped on destruction.
class Child {
 public:
  explicit Child(std::function<void(int report_fd)> job);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }
  /// Lets the job start.
  void go();
  /// Reads the child's one-line report (without its newline), waiting at most timeout_ms.
  std::string report(int timeout_ms = 10000);
  /// Waits for the child and returns its wait status (-1 on timeout).
  int wait(int timeout_ms = 10000);

 private:
  pid_t pid_ = -1;
  int gate_ = -1;
  int report_ = -1;
  bool reaped_ = false;
};

/// A counter in memory shared with forked children (spinning jobs bump it).
std::atomic<uint64_t>* shared_counter();

/// "berth-test-<pid>/<name>": the cgroup path a test uses.
std::string test_cgroup(const std::string& name);

/// Removes every berth-test-<pid> cgroup (killing and thawing what is inside) on destruction.
struct CgroupSweeper {
  ~CgroupSweeper();
};

/// True when any directory named berth-test-<pid> remains under /sys/fs/cgroup.
bool any_test_cgroup_left();

/// The cgroup2 root usable here: /sys/fs/cgroup (v2), /sys/fs/cgroup/unified (hybrid), or "".
std::string v2_root();

/// Reads a whole file ("" if it cannot be read).
std::string slurp(const std::string& path);

/// Sleeps ms milliseconds.
void sleep_ms(int ms);

}  // namespace itest
