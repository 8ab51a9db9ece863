#pragma once
/// Renders a container's /etc/hosts and /etc/resolv.conf (the runtime bind-mounts them).
/// Pure functions: the host's resolv.conf is passed in as text.
#include <string>
#include <string_view>
#include <vector>

#include "engine/network.h"

namespace net {

/// /etc/hosts: localhost lines, extra_hosts in order ("host-gateway" → spec.host_gateway, or
/// the line is left out without one), then the container's own addresses mapped to
/// "hostname.domainname hostname".
std::string render_hosts(const engine::HostsSpec& spec);

/// Nameservers, search domains and options parsed from a resolv.conf text.
struct ResolvConf {
  std::vector<std::string> nameservers, search, options;
};
ResolvConf parse_resolv_conf(std::string_view text);

/// /etc/resolv.conf for a container. embedded_dns: the embedded DNS address ("" for the default
/// bridge). dns given by the user wins; else the embedded DNS; else the host's nameservers minus
/// loopback ones (unreachable from a netns), falling back to 8.8.8.8/8.8.4.4 as Docker does.
std::string render_resolv_conf(const engine::ResolvSpec& spec, const std::string& embedded_dns,
                               std::string_view host_resolv_conf);

}  // namespace net
