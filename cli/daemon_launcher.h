#pragma once
/// Starting berthd on demand: when the default socket does not answer, berth starts
/// the daemon in the background itself (a new user never starts one by hand).
#include <string>

#include "cli/api_client.h"
#include "engine/base/error.h"

namespace cli {

struct LaunchOptions {
  bool allow_autostart = true;  ///< false when -H/BERTH_HOST named another daemon
  std::string root;             ///< --root for the started daemon ("" = berthd's default)
  int wait_ms = 10000;          ///< how long to wait for /_ping
};

/// Pings the daemon; if it does not answer and autostart is allowed, starts berthd
/// (found beside berth, then on PATH), detached, logging to <root>/berthd.log, and
/// waits until it answers /_ping.
engine::base::Status ensure_daemon(const ApiClient& client, const LaunchOptions& opts);

}  // namespace cli
