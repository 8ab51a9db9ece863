#pragma once
/// Netlink (rtnetlink through libnl-route-3): links, addresses and routes. Each call takes a
/// NetlinkSocket, which is bound to the network namespace it was opened in.
#include <memory>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "net/ipv4.h"

struct nl_sock;

namespace net {

/// Owns one connected NETLINK_ROUTE socket.
class NetlinkSocket {
 public:
  NetlinkSocket() = default;
  /// Opens a socket in the calling thread's network namespace.
  static engine::base::Result<NetlinkSocket> open();
  /// Opens a socket in the namespace of netns_fd (setns there and straight back).
  static engine::base::Result<NetlinkSocket> open_in(int netns_fd);
  nl_sock* get() const { return sk_.get(); }

 private:
  struct Free {
    void operator()(nl_sock* s) const;
  };
  std::unique_ptr<nl_sock, Free> sk_;
};

/// ifindex of a link; NotFound if missing.
engine::base::Result<int> link_index(const NetlinkSocket& sk, const std::string& name);
/// Creates a bridge (up) with the given address; AlreadyExists if a link has the name.
engine::base::Status create_bridge(const NetlinkSocket& sk, const std::string& name);
/// Deletes a link by name; a missing link is success.
engine::base::Status delete_link(const NetlinkSocket& sk, const std::string& name);
/// Deletes a link by ifindex; a missing link is success.
engine::base::Status delete_link_index(const NetlinkSocket& sk, int ifindex);
/// Brings a link up.
engine::base::Status link_up(const NetlinkSocket& sk, const std::string& name);
/// Adds ip/prefix to a link.
engine::base::Status add_address(const NetlinkSocket& sk, const std::string& link, Ipv4 ip, int prefix);
/// Creates a veth pair: host_name (up, enslaved to master_index) and peer_name moved into
/// the namespace netns_fd with the given MAC ("" = kernel's random one).
engine::base::Status create_veth(const NetlinkSocket& sk, const std::string& host_name, int master_index,
                                 const std::string& peer_name, int netns_fd, const std::string& peer_mac);
/// Adds the default route via gateway.
engine::base::Status add_default_route(const NetlinkSocket& sk, Ipv4 gateway);
/// MAC address of a link ("02:42:...").
engine::base::Result<std::string> link_mac(const NetlinkSocket& sk, const std::string& name);
/// Destinations of the IPv4 unicast routes in the main and local tables, excluding default
/// routes and host loopback (what a new subnet must not overlap).
engine::base::Result<std::vector<Cidr>> list_routes(const NetlinkSocket& sk);

}  // namespace net
