#pragma once
/// JSON codecs (nlohmann ADL) for the network vocabulary types that berthd persists: the keys
/// are the field names, and a missing key keeps the field's default.
#include <nlohmann/json.hpp>

#include "engine/network.h"

namespace engine {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EndpointInfo, network_id, endpoint_id, container_id, container_name,
                                                ifname, ipv4, gateway, mac, prefix_len, dns_names)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PortBinding, host_ip, host_port, host_port_end, container_port,
                                                container_port_end, proto)

}  // namespace engine
