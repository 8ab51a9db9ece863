#pragma once
/// What every berth command shares: the daemon address and the way to reach it.
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "engine/base/error.h"

namespace CLI {
class App;
class Option;
}

namespace cli {

/// Exit codes as the docker CLI uses them.
inline constexpr int kExitDaemonError = 125;  ///< the daemon could not be reached or refused
inline constexpr int kExitCannotInvoke = 126;
inline constexpr int kExitNotFound = 127;

struct Context {
  std::string host;            ///< unix:///path
  bool host_explicit = false;  ///< from -H or BERTH_HOST (no autostart then, unless BERTH_AUTOSTART=1)
  std::string root;            ///< BERTH_ROOT: --root for an autostarted berthd
  CLI::Option* host_option = nullptr;  ///< -H, to tell whether it was given
  /// run/create: IMAGE [COMMAND] [ARG...]; exec: CONTAINER COMMAND [ARG...] (not parsed as flags).
  std::vector<std::string> command_tail;

  /// A client for the daemon, started first if needed; throws CLI::RuntimeError(125) with a message when unreachable.
  ApiClient connect() const;
};

/// Prints "berth: <msg>" to stderr and throws CLI::RuntimeError(code).
[[noreturn]] void fail(const std::string& msg, int code = 1);
/// For a non-2xx daemon reply: "Error response from daemon: <message>", exit 125 (or code).
[[noreturn]] void fail_response(const HttpResponse& r, int code = kExitDaemonError);
/// Unwraps a request result or fails with exit 125.
HttpResponse check(engine::base::Result<HttpResponse> r);

/// Docker's filters JSON from repeated key=value flags: {"key":{"value":true}}.
std::string filters_json(const std::vector<std::string>& kvs);

void register_system_commands(CLI::App& app, Context& ctx);
void register_volume_commands(CLI::App& app, Context& ctx);
/// images, image …, pull, push, load, save, import, tag, rmi, history, login, logout.
void register_image_commands(CLI::App& app, Context& ctx);
/// build (build_commands.cc).
void register_build_commands(CLI::App& app, Context& ctx);
void register_container_commands(CLI::App& app, Context& ctx);
void register_network_commands(CLI::App& app, Context& ctx);
/// Engine verbs that later issues fill in; each prints a clear "not implemented yet" error.
void register_pending_commands(CLI::App& app, Context& ctx);

}  // namespace cli
