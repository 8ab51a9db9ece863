// berthd: the berth daemon. Serves the Docker Engine API on a unix socket and owns
// images, containers, networks and volumes under --root.
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "engine/base/log.h"
#include "engine/daemon/daemon.h"

/// docker's certificate directory: $DOCKER_CERT_PATH, else ~/.docker.
static std::string cert_dir() {
  if (const char* p = std::getenv("DOCKER_CERT_PATH"); p && *p) return p;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker";
}

/// dockerd's TLS flags (--tlsverify also from DOCKER_TLS_VERIFY); a TCP listener outside
/// loopback is refused without --tlsverify (engine/api/server.cc).
static void add_tls_options(CLI::App& app, engine::api::TlsOptions& tls) {
  const char* env_verify = std::getenv("DOCKER_TLS_VERIFY");
  tls.verify = env_verify && *env_verify;
  app.add_flag("--tls", tls.enabled, "Use TLS on tcp:// hosts; implied by --tlsverify");
  app.add_flag("--tlsverify", tls.verify, "Use TLS and require client certificates signed by --tlscacert");
  app.add_option("--tlscacert", tls.ca_file, "Trust client certificates signed by this CA only (default <certs>/ca.pem)");
  app.add_option("--tlscert", tls.cert_file, "Path to the TLS certificate file (default <certs>/cert.pem)");
  app.add_option("--tlskey", tls.key_file, "Path to the TLS key file (default <certs>/key.pem)");
}

/// Fills unset certificate paths from the certificate directory once TLS is on.
static void resolve_tls_defaults(engine::api::TlsOptions& tls) {
  if (tls.verify) tls.enabled = true;
  if (!tls.enabled) return;
  std::string dir = cert_dir();
  if (tls.ca_file.empty() && tls.verify) tls.ca_file = dir + "/ca.pem";
  if (tls.cert_file.empty()) tls.cert_file = dir + "/cert.pem";
  if (tls.key_file.empty()) tls.key_file = dir + "/key.pem";
}

int main(int argc, char** argv) {
  CLI::App app{"berthd: the berth container engine daemon (Docker Engine API on a unix socket)", "berthd"};
  engine::daemon::DaemonOptions opts;
  // Defaults from the environment, so a daemon that berth starts by itself can be told them too.
  if (const char* b = std::getenv("BERTH_BRIDGE"); b && *b) opts.bridge = b;
  if (const char* t = std::getenv("BERTH_NFT_TABLE"); t && *t) opts.nft_table = t;
  std::vector<std::string> hosts;
  std::string log_level = "info";
  app.add_option("--root", opts.root, "Root directory of persistent state")->capture_default_str();
  app.add_option("--exec-root", opts.exec_root, "Root directory of runtime state")->capture_default_str();
  app.add_option("-H,--host", hosts, "Socket to listen on, unix:///path or tcp://host:port (repeatable)")
      ->default_str("unix:///run/berth/berth.sock");
  add_tls_options(app, opts.tls);
  app.add_option("--bridge", opts.bridge, "Linux bridge of the default \"bridge\" network (env BERTH_BRIDGE)")
      ->capture_default_str();
  app.add_option("--nft-table", opts.nft_table, "Name of berth's nftables table (env BERTH_NFT_TABLE)")
      ->capture_default_str();
  app.add_option("-l,--log-level", log_level, "Log level: debug, info, warn, error")->capture_default_str();
  bool show_version = false;
  app.add_flag("-v,--version", show_version, "Print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (show_version) {
    std::printf("berthd version %s\n", BERTH_VERSION_STRING);
    return 0;
  }
  if (!hosts.empty()) opts.hosts = hosts;
  resolve_tls_defaults(opts.tls);
  engine::base::set_log_level(engine::base::parse_log_level(log_level));

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Many clients at once need many fds: raise the soft limit to the hard one (never the hard one).
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }

  auto daemon = engine::daemon::Daemon::start(opts);
  if (!daemon) {
    std::fprintf(stderr, "berthd: %s\n", daemon.error().str().c_str());
    return 1;
  }
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_set, &sig);
    engine::base::log_info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                           ": shutting down, containers keep running");
    (*daemon)->shutdown();
  });
  (*daemon)->serve();
  // serve() also returns on an internal stop; wake the signal thread so it can be joined.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return 0;
}
