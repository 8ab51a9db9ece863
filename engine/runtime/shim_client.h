#pragma once
/// Client side of berth-shim: spawning `berth-shim create` and `berth-shim exec` without
/// forking berthd (posix_spawn), and talking to a shim's control socket (see
/// engine/shim/monitor.h for the protocol). Safe to use from any thread.
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"
#include "engine/runtime/spawn.h"

namespace engine::runtime {

/// Connects to <bundle>/shim.sock (works for bundle paths longer than sun_path).
base::Result<base::UniqueFd> connect_shim(const std::string& bundle);
/// Sends one request line and reads one reply line ("ok ...", "err ...", "exited N").
base::Result<std::string> shim_request(const std::string& bundle, const std::string& line, int timeout_ms = -1);

}  // namespace engine::runtime
