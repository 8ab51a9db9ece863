#include "engine/runtime/runtime.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "engine/sys/fd_passing.h"

namespace engine::runtime {

std::string_view status_name(ContainerState::Status s) {
  switch (s) {
    case ContainerState::Status::Created: return "created";
    case ContainerState::Status::Running: return "running";
    case ContainerState::Status::Paused: return "paused";
    case ContainerState::Status::Stopped: return "exited";
  }
  return "unknown";
}

base::Status resize_tty(int pty_master, unsigned rows, unsigned cols) {
  struct winsize ws {};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (::ioctl(pty_master, TIOCSWINSZ, &ws) != 0) return base::sys_error("resize tty");
  return {};
}

base::Result<ExecResult> Runtime::exec(const std::string& id, const ExecSpec& spec, const std::string& stdin_data) {
  auto proc = exec_start(id, spec);
  if (!proc) return proc.take_error();
  if (!stdin_data.empty()) (void)sys::write_all(proc->stdin_fd.get(), stdin_data);
  proc->stdin_fd.reset();
  ExecResult res;
  // Drain stdout and stderr together so neither pipe fills up.
  for (;;) {
    pollfd fds[2] = {{proc->stdout_fd.get(), POLLIN, 0}, {proc->stderr_fd.get(), POLLIN, 0}};
    if (fds[0].fd < 0 && fds[1].fd < 0) break;
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (!fds[i].revents) continue;
      char buf[8192];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        (i == 0 ? proc->stdout_fd : proc->stderr_fd).reset();
        continue;
      }
      (i == 0 ? res.out : res.err).append(buf, static_cast<size_t>(n));
    }
  }
  auto exit = exec_wait(*proc);
  if (!exit) return exit.take_error();
  res.exit_code = exit->exit_code;
  res.error = exit->error;
  return res;
}

}  // namespace engine::runtime
