#pragma once
/// `berth-shim create --bundle DIR`: reads DIR/config.json, prepares everything that can
/// fail (rootfs plan, user, capabilities, cgroup), then forks the monitor (setsid, not
/// berthd's child), which clones the container init and waits until it is set up.
/// The first process prints one line on stdout and exits:
///   "ok <shim_pid> <init_pid>"  or  "err <code> <errno> <message>".
#include <string>

namespace engine::shim {

/// Runs create; returns the exit code for main (0 = created).
int run_create(const std::string& bundle);

}  // namespace engine::shim
