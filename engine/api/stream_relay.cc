#include "engine/api/stream_relay.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "engine/api/container_routes.h"

namespace engine::api {

bool write_fd(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 1000);
        continue;
      }
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

namespace {
/// Closes the relay's stdin fd (which it owns) on every way out.
struct OwnedFd {
  int& fd;
  ~OwnedFd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

void relay_attach(int client, int frames_fd, int stdin_fd, bool tty, const std::string& pending,
                  const std::function<void()>& on_stdin_closed) {
  OwnedFd own{stdin_fd};
  if (stdin_fd >= 0 && !pending.empty()) write_fd(stdin_fd, pending);
  std::string buf;
  bool client_open = true;
  for (;;) {
    pollfd fds[2] = {{frames_fd, POLLIN, 0}, {client_open ? client : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char tmp[32768];
      ssize_t k = ::read(frames_fd, tmp, sizeof tmp);
      if (k <= 0) return;
      buf.append(tmp, size_t(k));
      // Forward whole frames; for a TTY only their payload.
      while (buf.size() >= 8) {
        uint32_t len = (uint32_t(uint8_t(buf[4])) << 24) | (uint32_t(uint8_t(buf[5])) << 16) |
                       (uint32_t(uint8_t(buf[6])) << 8) | uint32_t(uint8_t(buf[7]));
        if (buf.size() < 8 + len) break;
        bool ok = tty ? write_fd(client, std::string_view(buf).substr(8, len))
                      : write_fd(client, std::string_view(buf).substr(0, 8 + len));
        buf.erase(0, 8 + len);
        if (!ok) return;
      }
    }
    if (client_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char tmp[16384];
      ssize_t k = ::read(client, tmp, sizeof tmp);
      if (k <= 0) {
        // Client closed its write side: close the container's stdin, keep sending output.
        client_open = false;
        if (stdin_fd >= 0) {
          ::close(stdin_fd), stdin_fd = -1;
          if (on_stdin_closed) on_stdin_closed();
        }
        if (k < 0) return;
      } else if (stdin_fd >= 0) {
        write_fd(stdin_fd, std::string_view(tmp, size_t(k)));
      }
    }
  }
}

void relay_exec(int client, int stdout_fd, int stderr_fd, int stdin_fd, bool tty, const std::string& pending) {
  OwnedFd own{stdin_fd};
  if (stdin_fd >= 0 && !pending.empty()) write_fd(stdin_fd, pending);
  bool out_open = stdout_fd >= 0, err_open = stderr_fd >= 0 && stderr_fd != stdout_fd, client_open = true;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? stdout_fd : -1, POLLIN, 0},
                     {err_open ? stderr_fd : -1, POLLIN, 0},
                     {client_open && stdin_fd >= 0 ? client : -1, POLLIN, 0}};
    int n = ::poll(fds, 3, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char tmp[32768];
      ssize_t k = ::read(fds[i].fd, tmp, sizeof tmp);
      if (k <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      std::string_view data(tmp, size_t(k));
      bool ok = tty ? write_fd(client, data) : write_fd(client, mux_frame(i + 1, data));
      if (!ok) return;
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      char tmp[16384];
      ssize_t k = ::read(client, tmp, sizeof tmp);
      if (k <= 0) {
        client_open = false;
        if (stdin_fd >= 0) ::close(stdin_fd), stdin_fd = -1;
      } else {
        write_fd(stdin_fd, std::string_view(tmp, size_t(k)));
      }
    }
  }
}

}  // namespace engine::api
