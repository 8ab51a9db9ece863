#pragma once
/// What networking persists (JSON, written atomically): one file per network with its
/// IPAM cursor and endpoints, one file per container with its published ports.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/network.h"

namespace net {

/// A container's endpoint as persisted.
struct EndpointRecord {
  engine::EndpointInfo info;
  std::string netns_path, host_veth;
  bool default_route = true;
};

/// The host end of an exited container's veth pair, being deleted in the background: its
/// address stays taken until the link is gone.
struct DrainingLink {
  std::string container_id, host_veth, ipv4;
  int ifindex = 0;
};

/// A network as persisted: NetworkInfo (without endpoints), IPAM cursor, endpoints by
/// container id, links of detached endpoints not yet deleted.
struct NetworkRecord {
  engine::NetworkInfo info;
  uint32_t ipam_cursor = 0;
  std::map<std::string, EndpointRecord> endpoints;
  std::vector<DrainingLink> draining;
};

/// One published port (host_port_end/container_port_end are 0: ranges are stored expanded).
struct PortRecord {
  std::string container_ip;
  engine::PortBinding binding;
};

/// Every network file under dir/networks; unreadable files are skipped with a warning.
std::map<std::string, NetworkRecord> load_networks(const std::string& dir);
engine::base::Status save_network(const std::string& dir, const NetworkRecord& rec);
engine::base::Status delete_network_file(const std::string& dir, const std::string& id);

/// Published ports by container id, from dir/ports.
std::map<std::string, std::vector<PortRecord>> load_ports(const std::string& dir);
/// Saves a container's ports (an empty list deletes the file).
engine::base::Status save_ports(const std::string& dir, const std::string& container_id,
                                const std::vector<PortRecord>& ports);

}  // namespace net
