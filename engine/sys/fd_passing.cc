#include "engine/sys/fd_passing.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace engine::sys {

using base::Result;
using base::Status;
using base::sys_error;
using base::UniqueFd;

Status send_fds(int sock, std::string_view data, const std::vector<int>& fds) {
  if (data.empty()) return base::invalid("send_fds needs at least one byte");
  struct iovec iov {
    const_cast<char*>(data.data()), data.size()
  };
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> ctrl;
  if (!fds.empty()) {
    ctrl.resize(CMSG_SPACE(sizeof(int) * fds.size()));
    msg.msg_control = ctrl.data();
    msg.msg_controllen = ctrl.size();
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("sendmsg");
    if (static_cast<size_t>(n) < data.size()) return write_all(sock, data.substr(static_cast<size_t>(n)));
    return {};
  }
}

Result<std::string> recv_fds(int sock, size_t max, std::vector<UniqueFd>* fds) {
  std::string buf(max, '\0');
  struct iovec iov {
    buf.data(), buf.size()
  };
  alignas(struct cmsghdr) char ctrl[CMSG_SPACE(sizeof(int) * 8)];
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("recvmsg");
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (fds) fds->emplace_back(fd);
      else ::close(fd);
    }
  }
  buf.resize(static_cast<size_t>(n));
  return buf;
}

Status write_all(int fd, std::string_view data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  Status result;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = sys_error("write");
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (!result.ok() && result.error().sys_errno == EPIPE && !sigismember(&old, SIGPIPE)) {
    // Consume the SIGPIPE we caused so it is not delivered once unblocked.
    struct timespec zero {};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

Result<std::string> read_line(int fd, size_t max) {
  std::string line;
  for (;;) {
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read");
    if (n == 0) return base::make_error(base::Code::Unavailable, "read: connection closed");
    if (c == '\n') return line;
    line.push_back(c);
    if (line.size() > max) return base::invalid("read: line too long");
  }
}

static Result<sockaddr_un> unix_addr(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return base::invalid("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

Result<UniqueFd> connect_unix(const std::string& path) {
  auto addr = unix_addr(path);
  if (!addr) return addr.take_error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  int r;
  do r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof(sockaddr_un));
  while (r < 0 && errno == EINTR);
  if (r != 0) return sys_error("connect " + path);
  return fd;
}

Result<UniqueFd> listen_unix(const std::string& path) {
  auto addr = unix_addr(path);
  if (!addr) return addr.take_error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof(sockaddr_un)) != 0)
    return sys_error("bind " + path);
  if (::listen(fd.get(), 16) != 0) return sys_error("listen " + path);
  return fd;
}

}  // namespace engine::sys
