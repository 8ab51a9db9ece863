#pragma once
/// A terminal for an exec'd process that belongs to the container: berthd hands the exec
/// helper a pty of the host's devpts, which inside the container has no name (ttyname fails,
/// `tty` says "not a tty"). The helper opens a pty in the container's own devpts instead and
/// relays bytes and window sizes between the two, as runc's console socket ends up doing.
#include <sys/types.h>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::shim {

/// Both ends of a pty opened in the current mount namespace's /dev/ptmx.
struct ContainerPty {
  base::UniqueFd master, slave;
};

/// Opens a pty in the container's devpts (call after joining its mount namespace), sized like
/// HOST_TTY, and makes HOST_TTY the caller's controlling terminal in raw mode (so resizes
/// reach the caller as SIGWINCH and bytes pass unchanged).
base::Result<ContainerPty> open_container_pty(int host_tty);

/// Relays HOST_TTY <-> MASTER until CHILD exits and its output is drained; forwards
/// SIGWINCH as a resize of MASTER and termination signals to CHILD. Returns the exit status
/// (128 + signal for a killed process).
int relay_container_pty(pid_t child, int host_tty, int master);

}  // namespace engine::shim
