#include "net/netlink.h"

#include <fcntl.h>
#include <linux/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>

#include <cstring>

#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace net {

namespace b = engine::base;
using b::Result;
using b::Status;

namespace {

/// A libnl error as an Error with the matching errno-ish text.
b::Error nl_error(const std::string& what, int err) {
  b::Code code = b::Code::Internal;
  if (err == -NLE_EXIST) code = b::Code::AlreadyExists;
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) code = b::Code::NotFound;
  return b::make_error(code, what + ": " + nl_geterror(err));
}

struct LinkFree {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkFree>;
struct AddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using AddrPtr = std::unique_ptr<nl_addr, AddrFree>;

AddrPtr make_addr(Ipv4 ip, int prefix) {
  uint32_t be = htonl(ip.v);
  AddrPtr a(nl_addr_build(AF_INET, &be, 4));
  if (a) nl_addr_set_prefixlen(a.get(), prefix);
  return a;
}

Result<LinkPtr> get_link(const NetlinkSocket& sk, const std::string& name) {
  rtnl_link* l = nullptr;
  int err = rtnl_link_get_kernel(sk.get(), 0, name.c_str(), &l);
  if (err < 0) return nl_error("get link " + name, err == -NLE_OBJ_NOTFOUND ? -NLE_NODEV : err);
  return LinkPtr(l);
}

}  // namespace

void NetlinkSocket::Free::operator()(nl_sock* s) const { nl_socket_free(s); }

Result<NetlinkSocket> NetlinkSocket::open() {
  NetlinkSocket s;
  s.sk_.reset(nl_socket_alloc());
  if (!s.sk_) return b::internal("allocate netlink socket");
  int err = nl_connect(s.sk_.get(), NETLINK_ROUTE);
  if (err < 0) return nl_error("connect netlink socket", err);
  ::fcntl(nl_socket_get_fd(s.sk_.get()), F_SETFD, FD_CLOEXEC);
  return s;
}

Result<NetlinkSocket> NetlinkSocket::open_in(int netns_fd) {
  b::UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!self) return b::sys_error("open /proc/thread-self/ns/net");
  if (::setns(netns_fd, CLONE_NEWNET) != 0) return b::sys_error("enter network namespace");
  auto s = open();
  // Go straight back: this thread must not stay in the container's namespace.
  if (::setns(self.get(), CLONE_NEWNET) != 0) std::abort();
  return s;
}

Result<int> link_index(const NetlinkSocket& sk, const std::string& name) {
  auto l = get_link(sk, name);
  if (!l) return l.take_error();
  return rtnl_link_get_ifindex(l->get());
}

Status create_bridge(const NetlinkSocket& sk, const std::string& name) {
  LinkPtr l(rtnl_link_bridge_alloc());
  if (!l) return b::internal("allocate bridge " + name);
  rtnl_link_set_name(l.get(), name.c_str());
  rtnl_link_set_flags(l.get(), IFF_UP);
  // A fixed MAC: otherwise the bridge takes its lowest port's MAC and changes it when that
  // port leaves, and every container's ARP entry for the gateway goes stale.
  std::string hex = b::random_hex(10);
  std::string mac = "02";
  for (size_t i = 0; i < hex.size(); i += 2) mac += ":" + hex.substr(i, 2);
  nl_addr* lladdr = nullptr;
  if (nl_addr_parse(mac.c_str(), AF_LLC, &lladdr) == 0) {
    rtnl_link_set_addr(l.get(), lladdr);
    nl_addr_put(lladdr);
  }
  int err = rtnl_link_add(sk.get(), l.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0) return nl_error("create bridge " + name, err);
  return link_up(sk, name);
}

Status delete_link(const NetlinkSocket& sk, const std::string& name) {
  LinkPtr l(rtnl_link_alloc());
  rtnl_link_set_name(l.get(), name.c_str());
  int err = rtnl_link_delete(sk.get(), l.get());
  if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND) return nl_error("delete link " + name, err);
  return {};
}

Status delete_link_index(const NetlinkSocket& sk, int ifindex) {
  LinkPtr l(rtnl_link_alloc());
  rtnl_link_set_ifindex(l.get(), ifindex);
  int err = rtnl_link_delete(sk.get(), l.get());
  if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
    return nl_error("delete link #" + std::to_string(ifindex), err);
  return {};
}

Status link_up(const NetlinkSocket& sk, const std::string& name) {
  auto cur = get_link(sk, name);
  if (!cur) return cur.take_error().wrap("set link up");
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  int err = rtnl_link_change(sk.get(), cur->get(), change.get(), 0);
  if (err < 0) return nl_error("set link " + name + " up", err);
  return {};
}

Status add_address(const NetlinkSocket& sk, const std::string& link, Ipv4 ip, int prefix) {
  auto idx = link_index(sk, link);
  if (!idx) return idx.take_error().wrap("add address");
  std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> a(rtnl_addr_alloc(), rtnl_addr_put);
  AddrPtr local = make_addr(ip, prefix);
  rtnl_addr_set_ifindex(a.get(), *idx);
  rtnl_addr_set_local(a.get(), local.get());
  if (prefix <= 30) {
    AddrPtr bcast = make_addr(Cidr{ip, prefix}.broadcast(), prefix);
    rtnl_addr_set_broadcast(a.get(), bcast.get());
  }
  int err = rtnl_addr_add(sk.get(), a.get(), 0);
  if (err < 0) return nl_error("add address " + to_string(ip) + "/" + std::to_string(prefix) + " to " + link, err);
  return {};
}

Status create_veth(const NetlinkSocket& sk, const std::string& host_name, int master_index,
                   const std::string& peer_name, int netns_fd, const std::string& peer_mac) {
  LinkPtr veth(rtnl_link_veth_alloc());
  if (!veth) return b::internal("allocate veth " + host_name);
  rtnl_link_set_name(veth.get(), host_name.c_str());
  rtnl_link_set_master(veth.get(), master_index);
  rtnl_link_set_flags(veth.get(), IFF_UP);
  rtnl_link* peer = rtnl_link_veth_get_peer(veth.get());
  rtnl_link_set_name(peer, peer_name.c_str());
  rtnl_link_set_ns_fd(peer, netns_fd);
  if (!peer_mac.empty()) {
    nl_addr* mac = nullptr;
    if (nl_addr_parse(peer_mac.c_str(), AF_LLC, &mac) < 0) {
      rtnl_link_put(peer);
      return b::invalid("invalid MAC address \"" + peer_mac + "\"");
    }
    rtnl_link_set_addr(peer, mac);
    nl_addr_put(mac);
  }
  int err = rtnl_link_add(sk.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(peer);
  if (err < 0) return nl_error("create veth " + host_name, err);
  return {};
}

Status add_default_route(const NetlinkSocket& sk, Ipv4 gateway) {
  std::unique_ptr<rtnl_route, void (*)(rtnl_route*)> r(rtnl_route_alloc(), rtnl_route_put);
  rtnl_route_set_family(r.get(), AF_INET);
  rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  AddrPtr dst = make_addr(Ipv4{0}, 0);
  rtnl_route_set_dst(r.get(), dst.get());
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  AddrPtr gw = make_addr(gateway, 32);
  rtnl_route_nh_set_gateway(nh, gw.get());
  rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh now
  int err = rtnl_route_add(sk.get(), r.get(), NLM_F_CREATE);
  if (err < 0) return nl_error("add default route via " + to_string(gateway), err);
  return {};
}

Result<std::string> link_mac(const NetlinkSocket& sk, const std::string& name) {
  auto l = get_link(sk, name);
  if (!l) return l.take_error();
  nl_addr* a = rtnl_link_get_addr(l->get());
  if (!a) return std::string();
  char buf[64] = {};
  nl_addr2str(a, buf, sizeof buf);
  return std::string(buf);
}

Result<std::vector<Cidr>> list_routes(const NetlinkSocket& sk) {
  nl_cache* cache = nullptr;
  int err = rtnl_route_alloc_cache(sk.get(), AF_INET, 0, &cache);
  if (err < 0) return nl_error("list routes", err);
  std::vector<Cidr> out;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    uint32_t table = rtnl_route_get_table(r);
    if (table != RT_TABLE_MAIN && table != RT_TABLE_LOCAL) continue;
    nl_addr* dst = rtnl_route_get_dst(r);
    if (!dst || nl_addr_get_family(dst) != AF_INET || nl_addr_get_prefixlen(dst) == 0) continue;
    uint32_t be = 0;
    if (nl_addr_get_len(dst) == 4) std::memcpy(&be, nl_addr_get_binary_addr(dst), 4);
    Cidr c{Ipv4{ntohl(be)}, int(nl_addr_get_prefixlen(dst))};
    c.addr = c.network();
    if (Cidr{Ipv4{127u << 24}, 8}.contains(c.addr)) continue;
    out.push_back(c);
  }
  nl_cache_free(cache);
  return out;
}

}  // namespace net
