#include "cli/context.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/daemon_launcher.h"

namespace cli {

void fail(const std::string& msg, int code) {
  std::fprintf(stderr, "berth: %s\n", msg.c_str());
  throw CLI::RuntimeError(code);
}

void fail_response(const HttpResponse& r, int code) {
  std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
  throw CLI::RuntimeError(code);
}

HttpResponse check(engine::base::Result<HttpResponse> r) {
  if (!r) fail(r.error().str(), kExitDaemonError);
  return std::move(*r);
}

std::string filters_json(const std::vector<std::string>& kvs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& kv : kvs) {
    size_t eq = kv.find('=');
    j[kv.substr(0, eq)][eq == std::string::npos ? "" : kv.substr(eq + 1)] = true;
  }
  return j.dump();
}

ApiClient Context::connect() const {
  ApiClient client(host);
  LaunchOptions lo;
  const char* force = std::getenv("BERTH_AUTOSTART");
  bool explicit_host = host_explicit || (host_option && host_option->count() > 0);
  lo.allow_autostart = !explicit_host || (force && std::string(force) == "1");
  lo.root = root;
  if (auto st = ensure_daemon(client, lo); !st) fail(st.error().str(), kExitDaemonError);
  return client;
}

}  // namespace cli
