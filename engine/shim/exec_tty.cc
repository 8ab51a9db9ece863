#include "engine/shim/exec_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace engine::shim {

namespace {

/// Writes all of BUF to FD (non-blocking FDs wait for room); false once FD is gone.
bool write_all(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w > 0) {
      buf += w;
      n -= size_t(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    return false;
  }
  return true;
}

void copy_size(int from, int to) {
  struct winsize ws {};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) ::ioctl(to, TIOCSWINSZ, &ws);
}

int exit_status(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

}  // namespace

base::Result<ContainerPty> open_container_pty(int host_tty) {
  ContainerPty pty;
  pty.master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return base::sys_error("open /dev/ptmx in the container");
  int unlock = 0;
  if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) return base::sys_error("unlock pty");
  // TIOCGPTPEER opens the slave through the master: no path lookup in the container.
  pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) return base::sys_error("open pty slave");
  copy_size(host_tty, pty.master.get());
  // The host pty becomes our controlling terminal (resizes arrive as SIGWINCH) and passes
  // bytes through untouched: line discipline and echo happen on the container's pty.
  ::setsid();
  ::ioctl(host_tty, TIOCSCTTY, 0);
  struct termios t {};
  if (::tcgetattr(host_tty, &t) == 0) {
    ::cfmakeraw(&t);
    ::tcsetattr(host_tty, TCSANOW, &t);
  }
  return pty;
}

int relay_container_pty(pid_t child, int host_tty, int master) {
  sigset_t set;
  ::sigemptyset(&set);
  for (int s : {SIGCHLD, SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) ::sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  base::UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  bool host_open = true, master_open = true, exited = false;
  int status = 0;
  char buf[16384];
  while (master_open) {
    pollfd fds[3] = {{sfd.get(), POLLIN, 0}, {master, POLLIN, 0}, {host_open ? host_tty : -1, POLLIN, 0}};
    // Once the process has exited, what its terminal still holds is drained; a background
    // process keeping the terminal open does not keep the exec alive.
    int n = ::poll(fds, 3, exited ? 100 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(sfd.get(), &si, sizeof si) == ssize_t(sizeof si)) {
        int sig = int(si.ssi_signo);
        if (sig == SIGCHLD) {
          if (!exited && ::waitpid(child, &status, WNOHANG) == child) exited = true;
        } else if (sig == SIGWINCH) {
          copy_size(host_tty, master);
        } else if (!(sig == SIGHUP && si.ssi_code == SI_KERNEL)) {
          // A hangup of the host terminal (berthd went away) is not passed on: the process
          // keeps running, as a detached exec does. Signals sent to us are.
          ::kill(child, sig);
        }
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::read(master, buf, sizeof buf);
      if (r > 0) {
        if (!write_all(host_tty, buf, size_t(r))) host_open = false;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        master_open = false;  // EIO: every slave end is closed
      }
    }
    if (host_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = ::read(host_tty, buf, sizeof buf);
      if (r > 0) {
        if (!write_all(master, buf, size_t(r))) master_open = false;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        host_open = false;  // berthd closed its end: stop reading, keep relaying output
      }
    }
  }
  if (!exited) ::waitpid(child, &status, 0);
  return exit_status(status);
}

}  // namespace engine::shim
