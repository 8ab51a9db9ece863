#pragma once
/// Runs a function in a forked child and returns the string it produced: lets unit tests
/// change process-wide kernel state (seccomp, capabilities, rlimits) without touching the runner.
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace test::security {

/// fork, run f in the child, send its result back through a pipe; "child died: <status>" on a crash.
inline std::string run_in_child(const std::function<std::string()>& f) {
  int p[2];
  if (::pipe(p) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string out = f();
    ssize_t n = ::write(p[1], out.data(), out.size());
    ::_exit(n == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "child died: " + std::to_string(status);
  return out;
}

}  // namespace test::security
