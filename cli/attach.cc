#include "cli/attach.h"

#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace cli {

namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= size_t(w);
  }
  return true;
}

/// Puts the terminal in raw mode and restores it on scope exit.
class RawTerminal {
 public:
  explicit RawTerminal(bool on) {
    if (!on || !::isatty(0) || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

bool relay_stream(int fd, const std::string& early, bool tty, bool send_stdin) {
  RawTerminal raw(tty && send_stdin);
  std::string buf = early;
  bool stdin_open = send_stdin;
  bool ok = true;
  auto flush = [&]() {
    if (tty) {
      if (!buf.empty()) ok = write_all(1, buf.data(), buf.size()) && ok;
      buf.clear();
      return;
    }
    while (buf.size() >= 8) {
      uint32_t len = (uint32_t(uint8_t(buf[4])) << 24) | (uint32_t(uint8_t(buf[5])) << 16) |
                     (uint32_t(uint8_t(buf[6])) << 8) | uint32_t(uint8_t(buf[7]));
      if (buf.size() < 8 + len) break;
      int out = buf[0] == 2 ? 2 : 1;
      ok = write_all(out, buf.data() + 8, len) && ok;
      buf.erase(0, 8 + len);
    }
  };
  flush();
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char tmp[32768];
      ssize_t k = ::read(fd, tmp, sizeof tmp);
      if (k <= 0) break;
      buf.append(tmp, size_t(k));
      flush();
    }
    if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char tmp[4096];
      ssize_t k = ::read(0, tmp, sizeof tmp);
      if (k <= 0) {
        stdin_open = false;
        ::shutdown(fd, SHUT_WR);  // the container sees EOF on its stdin
      } else if (::send(fd, tmp, size_t(k), MSG_NOSIGNAL) < 0) {
        stdin_open = false;
      }
    }
  }
  return ok;
}

}  // namespace cli
