#include "cli/context.h"

#include <sys/stat.h>

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

CLI::App* find_subcommand(CLI::App& parent, const std::string& name) {
  for (CLI::App* sub : parent.get_subcommands({}))
    if (sub->get_name() == name) return sub;
  return nullptr;
}

std::string filters_json(const std::vector<std::string>& kvs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& kv : kvs) {
    size_t eq = kv.find('=');
    j[kv.substr(0, eq)][eq == std::string::npos ? "" : kv.substr(eq + 1)] = true;
  }
  return j.dump();
}

namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
bool file_exists(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

void add_connection_options(CLI::App& app, Context& ctx) {
  const char* env_host = env("BERTH_HOST");
  if (!env_host) env_host = env("DOCKER_HOST");
  ctx.host = env_host ? env_host : std::string(kDefaultHost);
  ctx.host_explicit = env_host != nullptr;
  ctx.host_option = app.add_option("-H,--host", ctx.host, "Daemon socket to connect to (env BERTH_HOST, DOCKER_HOST)")
                        ->default_str(std::string(kDefaultHost));
  ctx.tls.verify = env("DOCKER_TLS_VERIFY") != nullptr;
  ctx.tls.enabled = env("DOCKER_TLS") != nullptr;
  app.add_flag("--tls", ctx.tls.enabled, "Use TLS; implied by --tlsverify");
  app.add_flag("--tlsverify", ctx.tls.verify, "Use TLS and verify the remote (env DOCKER_TLS_VERIFY)");
  ctx.tls_ca_option = app.add_option("--tlscacert", ctx.tls.ca_file, "Trust certs signed only by this CA");
  ctx.tls_cert_option = app.add_option("--tlscert", ctx.tls.cert_file, "Path to TLS certificate file");
  ctx.tls_key_option = app.add_option("--tlskey", ctx.tls.key_file, "Path to TLS key file");
}

bool global_option_takes_value(std::string_view arg) {
  return arg == "-H" || arg == "--host" || arg == "--tlscacert" || arg == "--tlscert" || arg == "--tlskey";
}

engine::api::TlsOptions Context::tls_options() const {
  engine::api::TlsOptions o = tls;
  if (o.verify) o.enabled = true;
  if (!o.enabled) return o;
  std::string dir = env("DOCKER_CERT_PATH") ? env("DOCKER_CERT_PATH") : std::string(env("HOME") ? env("HOME") : "/root") + "/.docker";
  // A default file that does not exist is simply not used; a given one must exist.
  auto fill = [&](std::string& f, const CLI::Option* opt, const char* name) {
    if (!f.empty() || (opt && opt->count() > 0)) return;
    if (file_exists(dir + "/" + name)) f = dir + "/" + name;
  };
  fill(o.ca_file, tls_ca_option, "ca.pem");
  fill(o.cert_file, tls_cert_option, "cert.pem");
  fill(o.key_file, tls_key_option, "key.pem");
  return o;
}

ApiClient Context::connect() const {
  ApiClient client(host, tls_options());
  LaunchOptions lo;
  const char* force = std::getenv("BERTH_AUTOSTART");
  bool explicit_host = host_explicit || (host_option && host_option->count() > 0);
  lo.allow_autostart = !explicit_host || (force && std::string(force) == "1");
  lo.root = root;
  if (auto st = ensure_daemon(client, lo); !st) fail(st.error().str(), kExitDaemonError);
  return client;
}

}  // namespace cli
