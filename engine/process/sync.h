#pragma once
/// The typed channel between berth-shim and the container init (a SOCK_SEQPACKET
/// socketpair). Each message is one fixed-size packet, so nothing allocates between
/// clone and exec. The init's end is O_CLOEXEC: EOF after Start means execve succeeded.
#include <cstdint>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::process {

enum class SyncKind : uint32_t {
  Go = 1,     ///< shim -> init: id maps written; set up the container (the cgroup join runs meanwhile)
  Ready = 2,  ///< init -> shim: set up, waiting for Start
  Start = 3,  ///< shim -> init: exec the process
  Error = 4,  ///< init -> shim: setup or exec failed (errno + message); init then exits
  Joined = 5, ///< shim -> init: the init is in its cgroup (awaited before unsharing a cgroup namespace)
};

struct SyncMessage {
  SyncKind kind = SyncKind::Go;
  int32_t sys_errno = 0;
  int32_t exit_code = 0;  ///< for Error: the exit status the init will use (127 = not found)
  char text[1024] = {};
};

/// One end of the channel.
class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(base::UniqueFd fd) : fd_(std::move(fd)) {}
  /// A connected pair: first for the shim, second for the init.
  static base::Result<std::pair<SyncChannel, SyncChannel>> make_pair();
  base::Status send(SyncKind kind) const;
  /// Sends an Error carrying ERR's message (truncated) and errno.
  void send_error(const base::Error& err, int exit_code) const;
  /// Receives one message; kind Error with text "eof" when the peer closed (or exec'd).
  base::Result<SyncMessage> receive() const;
  /// Waits for KIND; an Error message becomes the returned error.
  base::Status expect(SyncKind kind) const;
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  base::UniqueFd fd_;
};

/// True when a received message is the EOF marker.
bool is_eof(const SyncMessage& m);

}  // namespace engine::process
