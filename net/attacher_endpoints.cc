// Endpoints (attach/detach), published ports and reconcile for the bridge attacher.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "engine/base/log.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "net/attacher_impl.h"
#include "net/bridge_attacher.h"
#include "net/netns.h"
#include "net/nft_rules.h"

namespace net {

namespace b = engine::base;
using b::Result;
using b::Status;

/// FNV-1a of "container/network", so the name survives restarts.
std::string host_veth_name(const std::string& container_id, const std::string& network_id) {
  uint64_t h = 1469598103934665603ull;
  for (char c : container_id + "/" + network_id) h = (h ^ uint8_t(c)) * 1099511628211ull;
  static const char* hex = "0123456789abcdef";
  std::string s = "vb";
  for (int i = 0; i < 10; ++i) s.push_back(hex[(h >> (i * 4)) & 0xf]);
  return s;
}

Result<engine::EndpointInfo> BridgeAttacher::attach(const engine::EndpointSpec& spec) {
  std::lock_guard lk(mu_);
  NetworkRecord* rec = find(spec.network_id);
  if (!rec) return b::not_found("attach: network " + spec.network_id + " not found");
  const auto& ns = rec->info.spec;
  std::string what = "attach container " + (spec.container_name.empty() ? spec.container_id : spec.container_name) +
                     " to network " + ns.name;
  if (ns.driver != "bridge") return b::invalid(what + ": network " + ns.name + " (driver " + ns.driver + ") cannot be attached");
  if (rec->endpoints.count(spec.container_id)) return b::conflict(what + ": container is already attached");
  if (spec.ifname.empty() || spec.ifname.size() > 15) return b::invalid(what + ": bad interface name \"" + spec.ifname + "\"");
  std::optional<Ipv4> wanted;
  if (!spec.ipv4.empty()) {
    auto ip = parse_ipv4(spec.ipv4);
    if (!ip) return ip.take_error().wrap(what);
    wanted = *ip;
  }
  // The previous run's veth of this container (same name), or one holding the wanted address,
  // goes now instead of on the reaper's thread.
  std::string veth_name = host_veth_name(spec.container_id, ns.id);
  flush_draining(*rec, [&](const DrainingLink& d) {
    return d.host_veth == veth_name || (wanted && d.ipv4 == to_string(*wanted));
  });
  AddressPool pool = pool_of(*rec);
  auto ip = pool.allocate(wanted);
  if (!ip) return ip.take_error().wrap(what);
  auto netns = open_netns(spec.netns_path);
  if (!netns) return netns.take_error().wrap(what);
  auto hsk = host_socket();
  if (!hsk) return hsk.take_error().wrap(what);
  auto br = link_index(**hsk, rec->info.bridge);
  if (!br) return br.take_error().wrap(what);

  EndpointRecord ep;
  ep.host_veth = veth_name;
  ep.netns_path = spec.netns_path;
  ep.default_route = spec.default_route;
  Cidr subnet = *parse_cidr(ns.subnet);
  Ipv4 gw = *parse_ipv4(ns.gateway);
  b::Rollback undo;
  // Why: one netlink request makes both ends, enslaves the host end and moves the peer in.
  auto veth = create_veth(**hsk, ep.host_veth, *br, spec.ifname, netns->get(), spec.mac);
  if (!veth && veth.error().code == b::Code::AlreadyExists) {
    (void)delete_link(**hsk, ep.host_veth);  // leftover of a crash between create and save
    veth = create_veth(**hsk, ep.host_veth, *br, spec.ifname, netns->get(), spec.mac);
  }
  if (!veth) return veth.take_error().wrap(what);
  undo.add([&] { (void)delete_link(**hsk, ep.host_veth); });
  // Hairpin: a container reaching its own published port through the host comes back
  // out of the port it went in.
  if (FILE* f = std::fopen(("/sys/class/net/" + ep.host_veth + "/brport/hairpin_mode").c_str(), "we")) {
    std::fputs("1", f);
    std::fclose(f);
  }
  auto csk = NetlinkSocket::open_in(netns->get());
  if (!csk) return csk.take_error().wrap(what);
  if (auto st = add_address(*csk, spec.ifname, *ip, subnet.prefix); !st) return st.take_error().wrap(what);
  if (auto st = link_up(*csk, spec.ifname); !st) return st.take_error().wrap(what);
  // Internal networks get no default route: there is no way out.
  if (spec.default_route && !ns.internal)
    if (auto st = add_default_route(*csk, gw); !st) return st.take_error().wrap(what);
  auto mac = link_mac(*csk, spec.ifname);
  if (!mac) return mac.take_error().wrap(what);

  ep.info.network_id = ns.id;
  ep.info.endpoint_id = b::random_hex(64);
  ep.info.container_id = spec.container_id;
  ep.info.container_name = spec.container_name;
  ep.info.ifname = spec.ifname;
  ep.info.ipv4 = to_string(*ip);
  ep.info.gateway = ns.internal ? "" : ns.gateway;
  ep.info.mac = *mac;
  ep.info.prefix_len = subnet.prefix;
  ep.info.dns_names = spec.dns_names;
  rec->endpoints[spec.container_id] = ep;
  rec->ipam_cursor = pool.cursor();
  undo.add([&] { rec->endpoints.erase(spec.container_id); });
  if (auto st = save_network(opts_.state_dir, *rec); !st) return st.take_error().wrap(what);
  if (has_dns(*rec)) dns_->register_endpoint(ns.id, spec.container_id, spec.dns_names, *ip);
  undo.commit();
  return ep.info;
}

Status BridgeAttacher::detach(const std::string& container_id, const std::string& network_id) {
  return detach_endpoint(container_id, network_id, false);
}

Status BridgeAttacher::detach_exited(const std::string& container_id, const std::string& network_id) {
  return detach_endpoint(container_id, network_id, true);
}

Status BridgeAttacher::detach_endpoint(const std::string& container_id, const std::string& network_id, bool defer) {
  std::lock_guard lk(mu_);
  NetworkRecord* rec = find(network_id);
  if (!rec) return b::not_found("detach: network " + network_id + " not found");
  auto it = rec->endpoints.find(container_id);
  if (it == rec->endpoints.end())
    return b::not_found("detach container " + container_id + " from network " + rec->info.spec.name + ": not attached");
  dns_->unregister_endpoint(rec->info.spec.id, container_id);
  auto sk = host_socket();
  if (!sk) return sk.take_error();
  std::string ip = it->second.info.ipv4;
  if (defer) {
    // Why: deleting the link waits for RCU grace periods; the reaper does it while the
    // address stays taken (in the saved state too, so a crash loses nothing).
    auto index = link_index(**sk, it->second.host_veth);
    if (!index && index.error().code != b::Code::NotFound) return index.take_error();
    if (index) {
      rec->draining.push_back(DrainingLink{container_id, it->second.host_veth, ip, *index});
      reaper_.remove(*index);
    }
  } else {
    // Deleting the host end removes the pair (the peer may already be gone with its netns).
    BERTH_TRY(delete_link(**sk, it->second.host_veth));
  }
  rec->endpoints.erase(it);
  BERTH_TRY(save_network(opts_.state_dir, *rec));
  // Published ports to the address that just went away go with it.
  auto pit = ports_.find(container_id);
  if (pit == ports_.end()) return {};
  size_t before = pit->second.size();
  std::erase_if(pit->second, [&](const HeldPort& h) { return h.rec.container_ip == ip; });
  if (pit->second.size() == before) return {};
  std::vector<PortRecord> recs;
  for (const auto& h : pit->second) recs.push_back(h.rec);
  if (pit->second.empty()) ports_.erase(pit);
  BERTH_TRY(save_ports(opts_.state_dir, container_id, recs));
  return sync_nft();
}

void BridgeAttacher::flush_draining(NetworkRecord& rec, const std::function<bool(const DrainingLink&)>& match) {
  auto sk = host_socket();
  std::erase_if(rec.draining, [&](const DrainingLink& d) {
    if (!match(d)) return false;
    if (!sk) return false;
    if (auto st = delete_link_index(**sk, d.ifindex); !st) {
      b::log_warn("delete link " + d.host_veth + ": " + st.error().str());
      return false;
    }
    return true;
  });
  released_.notify_all();
}

void BridgeAttacher::link_reaped(int ifindex) {
  std::lock_guard lk(mu_);
  for (auto& [id, rec] : networks_) {
    size_t n = std::erase_if(rec.draining, [&](const DrainingLink& d) { return d.ifindex == ifindex; });
    if (n == 0) continue;
    if (auto st = save_network(opts_.state_dir, rec); !st) b::log_warn("save network " + rec.info.spec.name + ": " + st.error().str());
  }
  released_.notify_all();
}

void BridgeAttacher::wait_released(const std::string& container_id) {
  std::unique_lock lk(mu_);
  auto gone = [&] {
    for (const auto& [id, rec] : networks_)
      for (const auto& d : rec.draining)
        if (d.container_id == container_id) return false;
    return true;
  };
  if (!released_.wait_for(lk, std::chrono::seconds(5), gone))
    b::log_warn("container " + container_id.substr(0, 12) + ": its network links are not deleted yet");
}

Result<std::vector<BridgeAttacher::HeldPort>> BridgeAttacher::reserve(const std::string& container_ip,
                                                                       const engine::PortBinding& in) {
  std::string what = "publish port " + std::to_string(in.container_port) + "/" + in.proto;
  int cfirst = in.container_port, clast = in.container_port_end ? in.container_port_end : in.container_port;
  int hfirst = in.host_port, hlast = in.host_port_end ? in.host_port_end : in.host_port;
  if (cfirst <= 0 || clast > 65535 || clast < cfirst) return b::invalid(what + ": invalid container port range");
  if (hfirst < 0 || hlast > 65535 || hlast < hfirst) return b::invalid(what + ": invalid host port range");
  if (in.proto != "tcp" && in.proto != "udp") return b::invalid(what + ": unsupported protocol \"" + in.proto + "\"");
  int ccount = clast - cfirst + 1, hcount = hlast - hfirst + 1;
  std::vector<HeldPort> out;
  for (int i = 0; i < ccount; ++i) {
    HeldPort h;
    h.rec.container_ip = container_ip;
    h.rec.binding.host_ip = in.host_ip == "0.0.0.0" ? "" : in.host_ip;
    h.rec.binding.container_port = cfirst + i;
    h.rec.binding.proto = in.proto;
    Result<ReservedPort> r = b::internal("no host port");
    if (hfirst == 0) {
      r = reserve_port(in.proto, in.host_ip, 0);
    } else if (hcount == ccount) {
      r = reserve_port(in.proto, in.host_ip, hfirst + i);
    } else if (ccount == 1) {
      // A host range for one container port: the first free port of the range.
      for (int p = hfirst; p <= hlast; ++p)
        if ((r = reserve_port(in.proto, in.host_ip, p))) break;
      if (!r) return b::conflict(what + ": every host port in " + std::to_string(hfirst) + "-" + std::to_string(hlast) + " is already in use");
    } else {
      return b::invalid(what + ": host port range and container port range differ in size");
    }
    if (!r) return r.take_error().wrap(what);
    h.rec.binding.host_port = r->port;
    h.socket = std::make_shared<ReservedPort>(std::move(*r));
    out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<engine::PortBinding>> BridgeAttacher::publish(const std::string& container_id,
                                                                 const std::string& container_ip,
                                                                 const std::vector<engine::PortBinding>& ports) {
  std::lock_guard lk(mu_);
  if (!parse_ipv4(container_ip)) return b::invalid("publish ports of " + container_id + ": invalid container IP \"" + container_ip + "\"");
  std::vector<HeldPort> added;
  for (const auto& p : ports) {
    auto held = reserve(container_ip, p);
    if (!held) return held.take_error();  // sockets of earlier ports close with `added`
    for (auto& h : *held) added.push_back(std::move(h));
  }
  auto& mine = ports_[container_id];
  size_t before = mine.size();
  for (auto& h : added) mine.push_back(h);
  b::Rollback undo;
  undo.add([&] {
    mine.resize(before);
    if (mine.empty()) ports_.erase(container_id);
  });
  std::vector<PortRecord> recs;
  for (const auto& h : mine) recs.push_back(h.rec);
  if (auto st = sync_nft(); !st) return st.take_error().wrap("publish ports of " + container_id);
  if (auto st = save_ports(opts_.state_dir, container_id, recs); !st) {
    undo.add([&] { (void)sync_nft(); });
    return st.take_error().wrap("publish ports of " + container_id);
  }
  undo.commit();
  std::vector<engine::PortBinding> out;
  for (const auto& h : added) out.push_back(h.rec.binding);
  return out;
}

Status BridgeAttacher::unpublish(const std::string& container_id) {
  std::lock_guard lk(mu_);
  if (!ports_.count(container_id)) return {};
  ports_.erase(container_id);
  BERTH_TRY(save_ports(opts_.state_dir, container_id, {}));
  return sync_nft();
}

Status BridgeAttacher::reconcile(const std::vector<std::string>& live_ids) {
  std::lock_guard lk(mu_);
  std::set<std::string> live(live_ids.begin(), live_ids.end());
  BERTH_TRY(ensure_builtin_networks());
  auto sk = host_socket();
  if (!sk) return sk.take_error().wrap("reconcile networks");
  // Why: endpoints of containers that died with the daemon hold addresses and veths.
  for (auto& [id, rec] : networks_) {
    bool changed = false;
    for (auto it = rec.endpoints.begin(); it != rec.endpoints.end();) {
      if (live.count(it->first)) {
        ++it;
        continue;
      }
      (void)delete_link(**sk, it->second.host_veth);
      it = rec.endpoints.erase(it);
      changed = true;
    }
    // Links the reaper had not deleted yet (by name: ifindexes do not survive a reboot),
    // unless a live endpoint has taken the name again.
    for (const auto& d : rec.draining) {
      bool reused = std::any_of(rec.endpoints.begin(), rec.endpoints.end(),
                                [&](const auto& e) { return e.second.host_veth == d.host_veth; });
      if (!reused) (void)delete_link(**sk, d.host_veth);
    }
    changed |= !rec.draining.empty();
    rec.draining.clear();
    if (changed) BERTH_TRY(save_network(opts_.state_dir, rec));
  }
  // Why: netns files of dead containers pin their namespaces.
  std::error_code ec;
  for (const auto& ent : std::filesystem::directory_iterator(opts_.run_dir + "/netns", ec)) {
    std::string cid = ent.path().filename().string();
    if (!live.count(cid)) (void)remove_netns_file(ent.path().string());
  }
  // Why: after a host reboot or a crash the kernel objects may be gone; state is the truth.
  for (auto& [id, rec] : networks_) {
    if (rec.info.spec.driver != "bridge") continue;
    if (auto st = setup_bridge(rec, false); !st) return st.take_error().wrap("reconcile network " + rec.info.spec.name);
    if (has_dns(rec))
      for (const auto& [cid, ep] : rec.endpoints)
        if (auto ip = parse_ipv4(ep.info.ipv4)) dns_->register_endpoint(id, cid, ep.info.dns_names, *ip);
  }
  // Why: published ports of live containers must stay reserved; dead ones' go.
  for (auto it = ports_.begin(); it != ports_.end();) {
    if (!live.count(it->first)) {
      BERTH_TRY(save_ports(opts_.state_dir, it->first, {}));
      it = ports_.erase(it);
      continue;
    }
    for (auto& h : it->second) {
      if (h.socket) continue;
      auto r = reserve_port(h.rec.binding.proto, h.rec.binding.host_ip, h.rec.binding.host_port);
      if (r) h.socket = std::make_shared<ReservedPort>(std::move(*r));
      else b::log_warn("reconcile: " + r.error().str());
    }
    ++it;
  }
  return sync_nft();
}

}  // namespace net
