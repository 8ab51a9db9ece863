#pragma once
/// The bridge-driver NetworkAttacher (engine/network.h), wired by berthd.
#include <memory>

#include "engine/network.h"
#include "net/dns_server.h"

namespace net {

/// Creates the attacher. It registers names with `dns` (which the daemon owns, starts and
/// stops); if dns is null the attacher makes and starts its own, forwarding to
/// opts.dns_upstreams or the resolvers of opts.host_resolv_conf.
/// Call reconcile() once at daemon start, before serving.
std::unique_ptr<engine::NetworkAttacher> make_bridge_network_attacher(const engine::NetworkOptions& opts,
                                                                      std::shared_ptr<DnsServer> dns = nullptr);

/// Host-side veth name of a container's endpoint on a network ("vb" + 10 hex, stable).
std::string host_veth_name(const std::string& container_id, const std::string& network_id);

/// A DnsServer configured from opts (upstreams from dns_upstreams or host_resolv_conf), not started.
std::shared_ptr<DnsServer> make_dns_server(const engine::NetworkOptions& opts);

}  // namespace net
