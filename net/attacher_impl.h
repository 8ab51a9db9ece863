#pragma once
/// Internals of the bridge attacher, split over attacher_networks.cc (networks, netns,
/// reconcile) and attacher_endpoints.cc (attach/detach, published ports).
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/network.h"
#include "net/dns_server.h"
#include "net/ipam.h"
#include "net/link_reaper.h"
#include "net/netlink.h"
#include "net/port_reserve.h"
#include "net/state.h"

namespace net {

class BridgeAttacher : public engine::NetworkAttacher {
 public:
  BridgeAttacher(engine::NetworkOptions opts, std::shared_ptr<DnsServer> dns);

  engine::base::Result<engine::NetworkInfo> create_network(const engine::NetworkSpec& spec) override;
  engine::base::Status remove_network(const std::string& id_or_name) override;
  engine::base::Status remove_network_locked(NetworkRecord& rec);
  engine::base::Result<std::vector<engine::NetworkInfo>> list_networks() override;
  engine::base::Result<std::vector<std::string>> prune_networks() override;
  engine::base::Result<engine::NetworkInfo> inspect_network(const std::string& id_or_name) override;
  engine::base::Result<std::string> create_netns(const std::string& container_id) override;
  engine::base::Status remove_netns(const std::string& container_id) override;
  engine::base::Result<engine::EndpointInfo> attach(const engine::EndpointSpec& spec) override;
  engine::base::Status detach(const std::string& container_id, const std::string& network_id) override;
  engine::base::Status detach_exited(const std::string& container_id, const std::string& network_id) override;
  void wait_released(const std::string& container_id) override;
  engine::base::Result<std::vector<engine::PortBinding>> publish(const std::string& container_id,
                                                                 const std::string& container_ip,
                                                                 const std::vector<engine::PortBinding>& ports) override;
  engine::base::Status unpublish(const std::string& container_id) override;
  std::string dns_server_for(const std::string& network_id) override;
  engine::base::Status reconcile(const std::vector<std::string>& live_container_ids) override;
  std::string render_hosts(const engine::HostsSpec& spec) override;
  std::string render_resolv_conf(const engine::ResolvSpec& spec) override;

 private:
  /// A port held for a container.
  struct HeldPort {
    PortRecord rec;
    std::shared_ptr<ReservedPort> socket;
  };

  NetworkRecord* find(const std::string& id_or_name);
  /// detach(), deleting the veth now or (defer) on the reaper's thread.
  engine::base::Status detach_endpoint(const std::string& container_id, const std::string& network_id, bool defer);
  /// Deletes the draining links of rec that match, now (a static address or a veth name wanted again).
  void flush_draining(NetworkRecord& rec, const std::function<bool(const DrainingLink&)>& match);
  /// The reaper deleted a link: its address is free again.
  void link_reaped(int ifindex);
  engine::base::Result<const NetlinkSocket*> host_socket();
  /// The bridge link with its gateway address, route_localnet and DNS listener.
  engine::base::Status setup_bridge(const NetworkRecord& rec, bool create_link);
  engine::base::Status sync_nft();
  engine::base::Status ensure_builtin_networks();
  engine::base::Result<NetworkRecord> plan_network(const engine::NetworkSpec& spec);
  engine::NetworkInfo info_of(const NetworkRecord& rec) const;
  AddressPool pool_of(const NetworkRecord& rec) const;
  bool has_dns(const NetworkRecord& rec) const;
  engine::base::Result<std::vector<HeldPort>> reserve(const std::string& container_ip,
                                                      const engine::PortBinding& b);
  std::string netns_path(const std::string& container_id) const;

  engine::NetworkOptions opts_;
  std::shared_ptr<DnsServer> dns_;
  std::mutex mu_;
  NetlinkSocket host_sk_;
  std::map<std::string, NetworkRecord> networks_;
  std::map<std::string, std::vector<HeldPort>> ports_;  ///< by container id
  std::condition_variable released_;  ///< a draining link went (with mu_)
  LinkReaper reaper_{[this](int ifindex) { link_reaped(ifindex); }};  ///< last: stops (and drains) first
};

}  // namespace net
