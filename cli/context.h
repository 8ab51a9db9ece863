#pragma once
/// What every berth command shares: the daemon address and the way to reach it.
#include <string>
#include <string_view>
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
  std::string host;            ///< unix:///path or tcp://host:port
  bool host_explicit = false;  ///< from -H, BERTH_HOST or DOCKER_HOST (no autostart then, unless BERTH_AUTOSTART=1)
  std::string root;            ///< BERTH_ROOT: --root for an autostarted berthd
  CLI::Option* host_option = nullptr;  ///< -H, to tell whether it was given
  /// run/create: IMAGE [COMMAND] [ARG...]; exec: CONTAINER COMMAND [ARG...] (not parsed as flags).
  std::vector<std::string> command_tail;
  /// --tls/--tlsverify/--tlscacert/--tlscert/--tlskey as given (defaults are filled by tls_options()).
  engine::api::TlsOptions tls;
  CLI::Option* tls_ca_option = nullptr;
  CLI::Option* tls_cert_option = nullptr;
  CLI::Option* tls_key_option = nullptr;

  /// TLS settings as the docker CLI derives them: --tlsverify (or DOCKER_TLS_VERIFY) implies TLS;
  /// unset files default to ca.pem, cert.pem, key.pem in DOCKER_CERT_PATH (else ~/.docker) when they exist.
  engine::api::TlsOptions tls_options() const;

  /// A client for the daemon, started first if needed; throws CLI::RuntimeError(125) with a message when unreachable.
  ApiClient connect() const;
};

/// Global connection options: -H/--host (env BERTH_HOST, then DOCKER_HOST) and docker's TLS flags.
void add_connection_options(CLI::App& app, Context& ctx);
/// True for a global option that takes the next argument as its value ("-H", "--tlscacert", ...).
bool global_option_takes_value(std::string_view arg);

/// Prints "berth: <msg>" to stderr and throws CLI::RuntimeError(code).
[[noreturn]] void fail(const std::string& msg, int code = 1);
/// For a non-2xx daemon reply: "Error response from daemon: <message>", exit 125 (or code).
[[noreturn]] void fail_response(const HttpResponse& r, int code = kExitDaemonError);
/// Unwraps a request result or fails with exit 125.
HttpResponse check(engine::base::Result<HttpResponse> r);

/// The named subcommand of parent (not an alias), or nullptr (CLI11 2.1 has no non-throwing lookup).
CLI::App* find_subcommand(CLI::App& parent, const std::string& name);

/// Docker's filters JSON from repeated key=value flags: {"key":{"value":true}}.
std::string filters_json(const std::vector<std::string>& kvs);

void register_system_commands(CLI::App& app, Context& ctx);
void register_volume_commands(CLI::App& app, Context& ctx);
/// images, image …, pull, push, load, save, import, tag, rmi, history, login, logout.
void register_image_commands(CLI::App& app, Context& ctx);
/// build (build_commands.cc).
void register_build_commands(CLI::App& app, Context& ctx);
/// run, create, start, stop, ..., ps, logs, exec, inspect, top, port: added to app (or a group).
void register_container_commands(CLI::App& app, Context& ctx);
/// container VERB: the container verbs again, ls/list for ps, and prune (container_group.cc).
void register_container_group(CLI::App& app, Context& ctx);
void register_network_commands(CLI::App& app, Context& ctx);
/// Engine verbs that later issues fill in; each prints a clear "not implemented yet" error.
void register_pending_commands(CLI::App& app, Context& ctx);

}  // namespace cli
