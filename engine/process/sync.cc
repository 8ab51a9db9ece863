#include "engine/process/sync.h"

#include <sys/socket.h>

#include <cstring>

namespace engine::process {

base::Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return base::sys_error("socketpair");
  return std::pair<SyncChannel, SyncChannel>(SyncChannel(base::UniqueFd(fds[0])), SyncChannel(base::UniqueFd(fds[1])));
}

base::Status SyncChannel::send(SyncKind kind) const {
  SyncMessage m;
  m.kind = kind;
  if (::send(fd_.get(), &m, sizeof m, MSG_NOSIGNAL) != sizeof m) return base::sys_error("sync send");
  return {};
}

void SyncChannel::send_error(const base::Error& err, int exit_code) const {
  SyncMessage m;
  m.kind = SyncKind::Error;
  m.sys_errno = err.sys_errno;
  m.exit_code = exit_code;
  std::strncpy(m.text, err.message.c_str(), sizeof m.text - 1);
  (void)!::send(fd_.get(), &m, sizeof m, MSG_NOSIGNAL);
}

base::Result<SyncMessage> SyncChannel::receive() const {
  SyncMessage m;
  ssize_t n;
  do n = ::recv(fd_.get(), &m, sizeof m, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return base::sys_error("sync receive");
  if (n == 0) {
    m = SyncMessage{};
    m.kind = SyncKind::Error;
    std::strcpy(m.text, "eof");
    return m;
  }
  if (n != sizeof m) return base::internal("sync receive: short message");
  m.text[sizeof m.text - 1] = 0;
  return m;
}

base::Status SyncChannel::expect(SyncKind kind) const {
  auto m = receive();
  if (!m) return m.take_error();
  if (m->kind == kind) return {};
  if (m->kind == SyncKind::Error) {
    if (is_eof(*m)) return base::internal("container init exited during setup");
    base::Error e = base::make_error(base::Code::Internal, m->text);
    e.sys_errno = m->sys_errno;
    return e;
  }
  return base::internal("sync: unexpected message " + std::to_string(static_cast<uint32_t>(m->kind)));
}

bool is_eof(const SyncMessage& m) { return m.kind == SyncKind::Error && std::strcmp(m.text, "eof") == 0 && m.sys_errno == 0 && m.exit_code == 0; }

}  // namespace engine::process
