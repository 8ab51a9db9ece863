// init: true — a tiny pid 1 that forwards signals to the real process and reaps zombies.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/process/init.h"

namespace engine::process {

void run_reaper(pid_t child) {
  sigset_t all;
  ::sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  ::prctl(PR_SET_NAME, "berth-init", 0, 0, 0);
  for (;;) {
    siginfo_t info;
    int sig = ::sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      ::kill(child, sig);
      continue;
    }
    for (;;) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p <= 0) break;
      if (p == child) {
        if (WIFSIGNALED(status)) ::_exit(128 + WTERMSIG(status));
        ::_exit(WEXITSTATUS(status));
      }
    }
  }
}

}  // namespace engine::process
