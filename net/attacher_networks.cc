// Networks, netns files and reconcile for the bridge attacher.
#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "net/attacher_impl.h"
#include "net/bridge_attacher.h"
#include "net/etc_files.h"
#include "net/netns.h"
#include "net/nft_rules.h"

namespace net {

namespace b = engine::base;
using b::Result;
using b::Status;

namespace {

constexpr const char* kBridgeNameOption = "com.docker.network.bridge.name";

Status write_sysctl(const std::string& path, const std::string& value) {
  if (!b::path_exists(path)) return b::not_found("sysctl " + path + " does not exist");
  FILE* f = std::fopen(path.c_str(), "we");
  if (!f) return b::sys_error("open " + path);
  bool ok = std::fputs(value.c_str(), f) >= 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return b::sys_error("write " + path);
  return {};
}

}  // namespace

std::shared_ptr<DnsServer> make_dns_server(const engine::NetworkOptions& opts) {
  DnsServerOptions d;
  d.upstreams = opts.dns_upstreams;
  if (d.upstreams.empty()) {
    auto text = b::read_file(opts.host_resolv_conf);
    if (text) d.upstreams = upstreams_from_resolv_conf(*text);
  }
  return std::make_shared<DnsServer>(std::move(d));
}

std::unique_ptr<engine::NetworkAttacher> make_bridge_network_attacher(const engine::NetworkOptions& opts,
                                                                      std::shared_ptr<DnsServer> dns) {
  if (!dns) {
    dns = make_dns_server(opts);
    auto st = dns->start();
    if (!st) b::log_error(st.error().str());
  }
  return std::make_unique<BridgeAttacher>(opts, std::move(dns));
}

BridgeAttacher::BridgeAttacher(engine::NetworkOptions opts, std::shared_ptr<DnsServer> dns)
    : opts_(std::move(opts)), dns_(std::move(dns)) {
  networks_ = load_networks(opts_.state_dir);
  for (auto& [cid, recs] : load_ports(opts_.state_dir))
    for (auto& r : recs) ports_[cid].push_back(HeldPort{r, nullptr});
}

Result<const NetlinkSocket*> BridgeAttacher::host_socket() {
  if (!host_sk_.get()) {
    auto s = NetlinkSocket::open();
    if (!s) return s.take_error();
    host_sk_ = std::move(*s);
  }
  return &host_sk_;
}

NetworkRecord* BridgeAttacher::find(const std::string& key) {
  if (key.empty()) return nullptr;
  if (auto it = networks_.find(key); it != networks_.end()) return &it->second;
  for (auto& [id, r] : networks_)
    if (r.info.spec.name == key) return &r;
  NetworkRecord* hit = nullptr;
  for (auto& [id, r] : networks_)
    if (b::starts_with(id, key)) {
      if (hit) return nullptr;  // ambiguous prefix
      hit = &r;
    }
  return hit;
}

bool BridgeAttacher::has_dns(const NetworkRecord& rec) const {
  // Docker's default bridge has no name resolution; user-defined bridges do.
  return rec.info.spec.driver == "bridge" && rec.info.spec.name != "bridge";
}

AddressPool BridgeAttacher::pool_of(const NetworkRecord& rec) const {
  const auto& s = rec.info.spec;
  Cidr subnet = *parse_cidr(s.subnet);
  std::optional<Cidr> range;
  if (!s.ip_range.empty()) range = *parse_cidr(s.ip_range);
  AddressPool pool(subnet, *parse_ipv4(s.gateway), range);
  if (rec.ipam_cursor) pool.set_cursor(rec.ipam_cursor);
  for (const auto& [cid, e] : rec.endpoints)
    if (auto ip = parse_ipv4(e.info.ipv4)) pool.mark(*ip);
  for (const auto& d : rec.draining)
    if (auto ip = parse_ipv4(d.ipv4)) pool.mark(*ip);
  return pool;
}

engine::NetworkInfo BridgeAttacher::info_of(const NetworkRecord& rec) const {
  engine::NetworkInfo info = rec.info;
  info.endpoints.clear();
  for (const auto& [cid, e] : rec.endpoints) info.endpoints.push_back(e.info);
  return info;
}

std::string BridgeAttacher::netns_path(const std::string& container_id) const {
  return opts_.run_dir + "/netns/" + container_id;
}

Result<NetworkRecord> BridgeAttacher::plan_network(const engine::NetworkSpec& in) {
  NetworkRecord rec;
  engine::NetworkSpec& s = rec.info.spec;
  s = in;
  if (s.driver.empty()) s.driver = "bridge";
  if (s.name.empty()) return b::invalid("create network: name is empty");
  if (s.driver != "bridge") return b::invalid("create network " + s.name + ": driver \"" + s.driver + "\" is not supported (only bridge)");
  if (s.enable_ipv6) return b::invalid("create network " + s.name + ": enable_ipv6 is not supported yet (IPv4 only)");
  if (find(s.name) && find(s.name)->info.spec.name == s.name)
    return b::conflict("create network " + s.name + ": a network with this name already exists");
  if (s.id.empty()) s.id = b::random_hex(64);
  if (networks_.count(s.id)) return b::conflict("create network " + s.name + ": id " + s.id + " already exists");
  std::vector<Cidr> in_use;
  for (const auto& [id, r] : networks_)
    if (auto c = parse_cidr(r.info.spec.subnet)) in_use.push_back(*c);
  Cidr subnet;
  if (!s.subnet.empty()) {
    auto c = parse_cidr(s.subnet);
    if (!c) return c.take_error().wrap("create network " + s.name);
    for (const auto& [id, r] : networks_)
      if (auto o = parse_cidr(r.info.spec.subnet); o && o->overlaps(*c))
        return b::conflict("create network " + s.name + ": subnet " + s.subnet + " overlaps network " +
                           r.info.spec.name + " (" + r.info.spec.subnet + ")");
    subnet = *c;
  } else {
    auto sk = host_socket();
    if (!sk) return sk.take_error().wrap("create network " + s.name);
    auto routes = list_routes(**sk);
    if (!routes) return routes.take_error().wrap("create network " + s.name);
    in_use.insert(in_use.end(), routes->begin(), routes->end());
    std::vector<PoolEntry> pool;
    for (const auto& e : opts_.subnet_pool) {
      auto pe = parse_pool_entry(e);
      if (!pe) return pe.take_error();
      pool.push_back(*pe);
    }
    if (pool.empty()) pool = default_pool();
    auto c = choose_subnet(pool, in_use);
    if (!c) return c.take_error().wrap("create network " + s.name);
    subnet = *c;
    s.subnet = to_string(subnet);
  }
  if (subnet.prefix > 30) return b::invalid("create network " + s.name + ": subnet " + s.subnet + " is too small");
  if (s.gateway.empty()) {
    s.gateway = to_string(Ipv4{subnet.network().v + 1});
  } else {
    auto gw = parse_ipv4(s.gateway);
    if (!gw) return gw.take_error().wrap("create network " + s.name);
    if (!subnet.contains(*gw)) return b::invalid("create network " + s.name + ": gateway " + s.gateway + " is not in subnet " + s.subnet);
  }
  if (!s.ip_range.empty()) {
    auto r = parse_cidr(s.ip_range);
    if (!r) return r.take_error().wrap("create network " + s.name);
    if (!subnet.contains(r->network()) || r->prefix < subnet.prefix)
      return b::invalid("create network " + s.name + ": ip_range " + s.ip_range + " is not in subnet " + s.subnet);
  }
  auto opt = s.options.find(kBridgeNameOption);
  rec.info.bridge = opt != s.options.end() ? opt->second : "br-" + s.id.substr(0, 12);
  if (rec.info.bridge.empty() || rec.info.bridge.size() > 15)
    return b::invalid("create network " + s.name + ": bridge name \"" + rec.info.bridge + "\" must be 1-15 characters");
  rec.info.created_ns = b::now_ns();
  return rec;
}

Status BridgeAttacher::setup_bridge(const NetworkRecord& rec, bool create_link) {
  auto sk = host_socket();
  if (!sk) return sk.take_error();
  const auto& s = rec.info.spec;
  Cidr subnet = *parse_cidr(s.subnet);
  Ipv4 gw = *parse_ipv4(s.gateway);
  if (create_link || !link_index(**sk, rec.info.bridge)) {
    BERTH_TRY(create_bridge(**sk, rec.info.bridge));
    auto st = add_address(**sk, rec.info.bridge, gw, subnet.prefix);
    if (!st && st.error().code != b::Code::AlreadyExists) return st;
  }
  // 127.0.0.1:PORT → container needs the DNAT'ed packet (source 127.0.0.1) routed out of the bridge.
  BERTH_TRY(write_sysctl("/proc/sys/net/ipv4/conf/" + rec.info.bridge + "/route_localnet", "1"));
  if (!s.internal) BERTH_TRY(write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"));
  if (has_dns(rec)) {
    auto port = dns_->add_listener(s.id, gw, opts_.dns_port);
    if (!port) return port.take_error();
  }
  return {};
}

Status BridgeAttacher::sync_nft() {
  std::vector<NftNetwork> nets;
  for (const auto& [id, r] : networks_)
    if (r.info.spec.driver == "bridge") nets.push_back({r.info.bridge, *parse_cidr(r.info.spec.subnet), r.info.spec.internal});
  std::vector<NftPort> ports;
  for (const auto& [cid, held] : ports_)
    for (const auto& h : held)
      ports.push_back({h.rec.binding.host_ip, h.rec.binding.host_port, h.rec.container_ip,
                       h.rec.binding.container_port, h.rec.binding.proto});
  return nft_apply(render_ruleset(opts_.nft_table, std::move(nets), std::move(ports)));
}

Result<engine::NetworkInfo> BridgeAttacher::create_network(const engine::NetworkSpec& spec) {
  std::lock_guard lk(mu_);
  auto rec = plan_network(spec);
  if (!rec) return rec.take_error();
  const std::string id = rec->info.spec.id, name = rec->info.spec.name;
  b::Rollback undo;
  undo.add([&] {
    if (auto sk = host_socket()) (void)delete_link(**sk, rec->info.bridge);
    dns_->remove_network(id);
    networks_.erase(id);
    (void)delete_network_file(opts_.state_dir, id);
    (void)sync_nft();
  });
  auto st = setup_bridge(*rec, true);
  if (!st) return st.take_error().wrap("create network " + name);
  networks_[id] = *rec;
  if (auto s = save_network(opts_.state_dir, *rec); !s) return s.take_error().wrap("create network " + name);
  if (auto s = sync_nft(); !s) return s.take_error().wrap("create network " + name);
  undo.commit();
  return info_of(*rec);
}

Status BridgeAttacher::remove_network(const std::string& key) {
  std::lock_guard lk(mu_);
  NetworkRecord* rec = find(key);
  if (!rec) return b::not_found("network " + key + " not found");
  return remove_network_locked(*rec);
}

Status BridgeAttacher::remove_network_locked(NetworkRecord& rec) {
  const auto& s = rec.info.spec;
  if (s.driver != "bridge" || s.name == "bridge")
    return b::precondition("remove network " + s.name + ": " + s.name + " is a pre-defined network and cannot be removed");
  if (!rec.endpoints.empty())
    return b::precondition("remove network " + s.name + ": network has active endpoints (" +
                           std::to_string(rec.endpoints.size()) + " containers attached)");
  // The links of exited containers still being deleted go first, with the network.
  flush_draining(rec, [](const DrainingLink&) { return true; });
  std::string id = s.id;
  dns_->remove_network(id);
  auto sk = host_socket();
  if (!sk) return sk.take_error();
  BERTH_TRY(delete_link(**sk, rec.info.bridge));
  BERTH_TRY(delete_network_file(opts_.state_dir, id));
  networks_.erase(id);
  return sync_nft();
}

Result<std::vector<std::string>> BridgeAttacher::prune_networks() {
  std::lock_guard lk(mu_);
  std::vector<std::string> ids, names;
  for (const auto& [id, r] : networks_)
    if (r.info.spec.driver == "bridge" && r.info.spec.name != "bridge" && r.endpoints.empty()) ids.push_back(id);
  for (const auto& id : ids) {
    std::string name = networks_.at(id).info.spec.name;
    BERTH_TRY(remove_network_locked(networks_.at(id)));
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<engine::NetworkInfo>> BridgeAttacher::list_networks() {
  std::lock_guard lk(mu_);
  std::vector<engine::NetworkInfo> out;
  for (const auto& [id, r] : networks_) out.push_back(info_of(r));
  auto rank = [](const engine::NetworkInfo& n) {
    if (n.spec.name == "bridge") return 0;
    if (n.spec.name == "host") return 1;
    if (n.spec.name == "none") return 2;
    return 3;
  };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& c) {
    return std::make_pair(rank(a), a.spec.name) < std::make_pair(rank(c), c.spec.name);
  });
  return out;
}

Result<engine::NetworkInfo> BridgeAttacher::inspect_network(const std::string& key) {
  std::lock_guard lk(mu_);
  NetworkRecord* rec = find(key);
  if (!rec) return b::not_found("network " + key + " not found");
  return info_of(*rec);
}

Result<std::string> BridgeAttacher::create_netns(const std::string& container_id) {
  if (container_id.empty() || container_id.find('/') != std::string::npos)
    return b::invalid("create netns: invalid container id \"" + container_id + "\"");
  BERTH_TRY(b::make_dirs(opts_.run_dir + "/netns", 0755));
  std::string path = netns_path(container_id);
  auto st = create_netns_file(path);
  if (!st) return st.take_error().wrap("create netns for " + container_id);
  return path;
}

Status BridgeAttacher::remove_netns(const std::string& container_id) {
  return remove_netns_file(netns_path(container_id));
}

std::string BridgeAttacher::dns_server_for(const std::string& network_id) {
  std::lock_guard lk(mu_);
  NetworkRecord* rec = find(network_id);
  if (!rec || !has_dns(*rec)) return {};
  return rec->info.spec.gateway;
}

std::string BridgeAttacher::render_hosts(const engine::HostsSpec& spec) { return net::render_hosts(spec); }

std::string BridgeAttacher::render_resolv_conf(const engine::ResolvSpec& spec) {
  std::string dns = spec.network_id.empty() ? std::string() : dns_server_for(spec.network_id);
  return net::render_resolv_conf(spec, dns, b::read_file(opts_.host_resolv_conf).value_or(""));
}

Status BridgeAttacher::ensure_builtin_networks() {
  bool have_bridge = false, have_host = false, have_none = false;
  for (const auto& [id, r] : networks_) {
    have_bridge |= r.info.spec.name == "bridge";
    have_host |= r.info.spec.name == "host";
    have_none |= r.info.spec.name == "none";
  }
  for (auto [name, driver, have] : {std::tuple{"host", "host", have_host}, std::tuple{"none", "null", have_none}}) {
    if (have) continue;
    NetworkRecord r;
    r.info.spec.id = b::random_hex(64);
    r.info.spec.name = name;
    r.info.spec.driver = driver;
    r.info.created_ns = b::now_ns();
    BERTH_TRY(save_network(opts_.state_dir, r));
    networks_[r.info.spec.id] = r;
  }
  if (have_bridge || opts_.default_bridge.empty()) return {};
  engine::NetworkSpec s;
  s.name = "bridge";
  s.options[kBridgeNameOption] = opts_.default_bridge;
  auto rec = plan_network(s);
  if (!rec) return rec.take_error().wrap("create default bridge network");
  BERTH_TRY(save_network(opts_.state_dir, *rec));
  networks_[rec->info.spec.id] = *rec;
  return {};
}

}  // namespace net
