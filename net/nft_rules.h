#pragma once
/// berth's nftables table rendered from state as one text ruleset, and applied atomically
/// (the table is replaced in one transaction, so a reconcile leaves no stale and no missing
/// rule). Published ports follow Docker's userland-proxy-less mode: DNAT in prerouting and
/// output for local destinations, route_localnet on the bridge plus masquerade of 127.0.0.0/8
/// sources so 127.0.0.1:PORT works from the host.
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "net/ipv4.h"

namespace net {

/// A bridge network as the rules see it.
struct NftNetwork {
  std::string bridge;
  Cidr subnet;
  bool internal = false;
};

/// One published port (ranges are expanded to single ports by the caller).
struct NftPort {
  std::string host_ip;  ///< "" = every local address
  int host_port = 0;
  std::string container_ip;
  int container_port = 0;
  std::string proto = "tcp";
};

/// The nft script that replaces table `ip <table>` with rules for these networks and ports;
/// with neither, the script deletes the table.
std::string render_ruleset(const std::string& table, std::vector<NftNetwork> networks, std::vector<NftPort> ports);

/// Runs an nft script through libnftables; errors carry nft's message.
engine::base::Status nft_apply(const std::string& script);
/// Deletes table `ip <table>` if it exists.
engine::base::Status nft_delete_table(const std::string& table);
/// True if table `ip <table>` exists.
bool nft_table_exists(const std::string& table);
/// `nft list table ip <table>` output ("" if absent), for tests and diagnostics.
std::string nft_list_table(const std::string& table);

}  // namespace net
