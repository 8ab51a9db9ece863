#pragma once
/// NetworkAttacher: how berthd drives container networking (implemented in net/).
///
/// Vocabulary. A *network* is a Linux bridge with an IPv4 subnet (given or taken from a pool
/// that skips ranges already routed on the host). A *netns* is a bind-mounted network
/// namespace file, one per container. An *endpoint* joins a netns to a network: a veth pair,
/// eth0..ethN inside, an address from the network's IPAM, optionally the default route, and
/// DNS names served by the embedded DNS on the network's gateway address (port 53).
/// *Published ports* are nftables DNAT rules in berth's own table plus a held socket that
/// reserves the host port.
/// network_mode: "host" = no netns (the runtime shares the host's); "none" = create_netns and
/// no attach; "container:X" / "service:S" = reuse X's netns path (compose resolves S to X).
/// Lifecycle: create_network → create_netns → attach (per network) → publish → … →
/// unpublish → detach → remove_netns → remove_network. State is persisted under
/// NetworkOptions::state_dir; reconcile() at daemon start drops what belongs to dead
/// containers and rewrites the nftables table from state (no stale and no missing rule).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine {

/// A network as created (subnet/gateway empty = allocate from the pool).
struct NetworkSpec {
  std::string id, name, driver = "bridge";
  std::string subnet, gateway, ip_range;  ///< CIDR / address / CIDR
  bool internal = false, enable_ipv6 = false, attachable = false;
  std::map<std::string, std::string> labels, options;
};

/// One container joined to a network.
struct EndpointInfo {
  std::string network_id, endpoint_id, container_id, container_name, ifname, ipv4, gateway, mac;
  int prefix_len = 0;
  std::vector<std::string> dns_names;
};

/// A network as it exists: spec with subnet/gateway filled in.
struct NetworkInfo {
  NetworkSpec spec;
  std::string bridge;                   ///< Linux bridge name ("" for host/none)
  std::string scope = "local";
  int64_t created_ns = 0;
  std::vector<EndpointInfo> endpoints;  ///< sorted by container id
};

/// Joins a container's netns to a network.
struct EndpointSpec {
  std::string network_id, container_id, container_name, netns_path;
  std::string ifname = "eth0";
  std::string ipv4, mac;                ///< static address / MAC, optional
  std::vector<std::string> dns_names;   ///< service, container name, hostname, aliases
  bool default_route = true;
};

/// A published port or range; host_port 0 = random. Ends are 0 for a single port.
struct PortBinding {
  std::string host_ip;  ///< "" = all host addresses
  int host_port = 0, host_port_end = 0;
  int container_port = 0, container_port_end = 0;
  std::string proto = "tcp";  ///< tcp | udp
};

/// Input of NetworkAttacher::render_hosts: the container's /etc/hosts.
struct HostsSpec {
  std::string hostname, domainname;
  std::string host_gateway;  ///< replaces the extra_hosts value "host-gateway" (first network's gateway)
  std::vector<std::string> addresses;                             ///< the container's own IPs
  std::vector<std::pair<std::string, std::string>> extra_hosts;   ///< (name, ip), in order
};

/// Input of NetworkAttacher::render_resolv_conf.
struct ResolvSpec {
  std::string network_id;                 ///< first user network ("" = host resolvers)
  std::vector<std::string> dns, dns_search, dns_options;
};

/// Where networking keeps its state and how it names host objects.
struct NetworkOptions {
  std::string state_dir = "/var/lib/berth/network";  ///< networks, IPAM, endpoints, ports (JSON)
  std::string run_dir = "/run/berth";                ///< netns files under <run_dir>/netns/<id>
  std::string nft_table = "berth";                   ///< berth's own nftables table (family ip)
  std::string default_bridge = "berth0";             ///< "" = no built-in "bridge" network
  std::string host_resolv_conf = "/etc/resolv.conf"; ///< upstream resolvers for DNS forwarding
  std::vector<std::string> dns_upstreams;            ///< overrides host_resolv_conf ("ip" or "ip:port")
  std::vector<std::string> subnet_pool;              ///< "" = 172.17-31.0.0/16 then 192.168.x.0/20
  int dns_port = 53;                                 ///< embedded DNS listens on gateway:dns_port
};

/// Creates and joins networks. Thread-safe.
class NetworkAttacher {
 public:
  virtual ~NetworkAttacher() = default;
  /// Creates a bridge network; AlreadyExists if the name is taken.
  virtual base::Result<NetworkInfo> create_network(const NetworkSpec& spec) = 0;
  /// Removes a network; FailedPrecondition while endpoints exist.
  virtual base::Status remove_network(const std::string& id_or_name) = 0;
  /// Every network (bridge, host, none first as Docker lists them, then by name).
  virtual base::Result<std::vector<NetworkInfo>> list_networks() = 0;
  /// Removes every user network without endpoints; returns their names, sorted.
  virtual base::Result<std::vector<std::string>> prune_networks() = 0;
  /// One network by id, unique id prefix or name.
  virtual base::Result<NetworkInfo> inspect_network(const std::string& id_or_name) = 0;
  /// Creates <run_dir>/netns/<container_id> with lo up; returns its path.
  virtual base::Result<std::string> create_netns(const std::string& container_id) = 0;
  /// Unmounts and removes the netns file (missing = success).
  virtual base::Status remove_netns(const std::string& container_id) = 0;
  /// Joins the netns to a network (veth, address, route, DNS names).
  virtual base::Result<EndpointInfo> attach(const EndpointSpec& spec) = 0;
  /// Leaves a network: veth, address, DNS names and ports published to that address go.
  virtual base::Status detach(const std::string& container_id, const std::string& network_id) = 0;
  /// detach() for a container that has exited: DNS names and ports go at once, the veth pair
  /// is deleted in the background (deleting a link waits for the kernel's RCU, 20-30 ms) and
  /// its address stays taken until it is gone. wait_released() waits for that.
  virtual base::Status detach_exited(const std::string& container_id, const std::string& network_id) {
    return detach(container_id, network_id);
  }
  /// Waits until the links of the container's exited endpoints are gone.
  virtual void wait_released(const std::string& /*container_id*/) {}
  /// Publishes ports to container_ip; returns the bindings with actual host ports.
  virtual base::Result<std::vector<PortBinding>> publish(const std::string& container_id,
                                                         const std::string& container_ip,
                                                         const std::vector<PortBinding>& ports) = 0;
  /// Removes every published port of the container.
  virtual base::Status unpublish(const std::string& container_id) = 0;
  /// Address to write into resolv.conf for containers on the network ("" if none).
  virtual std::string dns_server_for(const std::string& network_id) = 0;
  /// At daemon start: forget endpoints/ports of containers not in the list, restore bridges,
  /// DNS names and port reservations, and rewrite the nftables table from state.
  virtual base::Status reconcile(const std::vector<std::string>& live_container_ids) = 0;
  /// Contents of the container's /etc/hosts.
  virtual std::string render_hosts(const HostsSpec& spec) = 0;
  /// Contents of the container's /etc/resolv.conf (embedded DNS for user networks).
  virtual std::string render_resolv_conf(const ResolvSpec& spec) = 0;
};

}  // namespace engine
