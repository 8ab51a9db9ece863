#pragma once
/// The daemon: owns the root lock, the services and the API server; wiring only.
#include <memory>
#include <string>
#include <vector>

#include "engine/api/tls_options.h"
#include "engine/base/error.h"

namespace engine::daemon {

struct DaemonOptions {
  std::string root = "/var/lib/berth";                             ///< state directory (--root)
  std::vector<std::string> hosts = {"unix:///run/berth/berth.sock"};  ///< listeners (--host)
  std::string exec_root = "/run/berth";                            ///< runtime state (netns, sockets)
  std::string bridge = "berth0";                                   ///< Linux bridge of the built-in "bridge" network
  std::string nft_table = "berth";                                 ///< berth's own nftables table
  api::TlsOptions tls;  ///< for tcp:// hosts (--tls, --tlsverify, --tlscacert, --tlscert, --tlskey)
};

class Daemon {
 public:
  /// Takes the root lock, opens state and binds every listener; nothing is left bound on failure.
  static engine::base::Result<std::unique_ptr<Daemon>> start(const DaemonOptions& opts);
  ~Daemon();
  /// Serves until shutdown() (SIGTERM/SIGINT); containers keep running (live restore).
  void serve();
  void shutdown();

 private:
  Daemon();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace engine::daemon
