#pragma once
/// Host port reservation: a published port is held by a bound (not listening) socket, so
/// no other program can take it while the DNAT rule points it at a container, and a port
/// already in use fails with an error naming it.
#include <string>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace net {

/// A held host port.
struct ReservedPort {
  engine::base::UniqueFd fd;
  int port = 0;
};

/// Binds proto ("tcp"|"udp") on host_ip ("" = 0.0.0.0) and port (0 = a random free port).
engine::base::Result<ReservedPort> reserve_port(const std::string& proto, const std::string& host_ip, int port);

}  // namespace net
