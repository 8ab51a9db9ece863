#include "net/nft_rules.h"

#include <nftables/libnftables.h>

#include <algorithm>
#include <memory>
#include <tuple>

namespace net {

namespace b = engine::base;

namespace {

std::string quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::string render_ruleset(const std::string& table, std::vector<NftNetwork> networks, std::vector<NftPort> ports) {
  std::string head = "add table ip " + table + "\ndelete table ip " + table + "\n";
  if (networks.empty() && ports.empty()) return head;
  std::sort(networks.begin(), networks.end(), [](const NftNetwork& a, const NftNetwork& c) { return a.bridge < c.bridge; });
  std::sort(ports.begin(), ports.end(), [](const NftPort& a, const NftPort& c) {
    return std::tie(a.proto, a.host_port, a.host_ip, a.container_ip, a.container_port) <
           std::tie(c.proto, c.host_port, c.host_ip, c.container_ip, c.container_port);
  });
  std::string s = head + "table ip " + table + " {\n";
  // Published ports: DNAT anything addressed to a local address (from outside or from the host).
  s += "  chain publish {\n";
  for (const auto& p : ports) {
    s += "    ";
    if (!p.host_ip.empty() && p.host_ip != "0.0.0.0") s += "ip daddr " + p.host_ip + " ";
    s += p.proto + " dport " + std::to_string(p.host_port) + " dnat to " + p.container_ip + ":" +
         std::to_string(p.container_port) + "\n";
  }
  s += "  }\n";
  s += "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n"
       "    fib daddr type local jump publish\n  }\n";
  s += "  chain output {\n    type nat hook output priority -100; policy accept;\n"
       "    fib daddr type local jump publish\n  }\n";
  s += "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n";
  for (const auto& n : networks) {
    std::string br = quote(n.bridge);
    // 127.0.0.1:PORT from the host: the DNAT'ed packet must not keep a loopback source.
    s += "    oifname " + br + " ip saddr 127.0.0.0/8 masquerade\n";
    // A container reaching a published port of its own network through a host address.
    s += "    iifname " + br + " oifname " + br + " ct status dnat masquerade\n";
    if (!n.internal) s += "    ip saddr " + to_string(n.subnet) + " oifname != " + br + " masquerade\n";
  }
  // A container reaching its own published port (hairpin; with br_netfilter the packet is
  // bridged back, so match addresses as Docker does rather than interfaces).
  for (const auto& p : ports)
    s += "    ip saddr " + p.container_ip + " ip daddr " + p.container_ip + " " + p.proto + " dport " +
         std::to_string(p.container_port) + " masquerade\n";
  s += "  }\n";
  s += "  chain forward {\n    type filter hook forward priority filter; policy accept;\n";
  s += "    ct status dnat accept\n";
  for (const auto& n : networks) {
    std::string br = quote(n.bridge);
    if (n.internal) {
      s += "    iifname " + br + " oifname != " + br + " drop\n";
      s += "    oifname " + br + " iifname != " + br + " drop\n";
    }
    std::vector<std::string> others;
    for (const auto& o : networks)
      if (o.bridge != n.bridge) others.push_back(quote(o.bridge));
    if (!others.empty()) {
      std::string set;
      for (size_t i = 0; i < others.size(); ++i) set += (i ? ", " : "") + others[i];
      s += "    iifname " + br + " oifname { " + set + " } drop\n";
    }
  }
  s += "  }\n}\n";
  return s;
}

namespace {

struct CtxFree {
  void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

std::unique_ptr<nft_ctx, CtxFree> make_ctx() {
  std::unique_ptr<nft_ctx, CtxFree> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (ctx) {
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
  }
  return ctx;
}

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

b::Status nft_apply(const std::string& script) {
  auto ctx = make_ctx();
  if (!ctx) return b::internal("create nftables context");
  if (nft_run_cmd_from_buffer(ctx.get(), script.c_str()) != 0)
    return b::internal("apply nftables rules: " + trim_nl(nft_ctx_get_error_buffer(ctx.get())));
  return {};
}

b::Status nft_delete_table(const std::string& table) {
  return nft_apply("add table ip " + table + "\ndelete table ip " + table + "\n");
}

std::string nft_list_table(const std::string& table) {
  auto ctx = make_ctx();
  if (!ctx) return {};
  std::string cmd = "list table ip " + table;
  if (nft_run_cmd_from_buffer(ctx.get(), cmd.c_str()) != 0) return {};
  return nft_ctx_get_output_buffer(ctx.get());
}

bool nft_table_exists(const std::string& table) { return !nft_list_table(table).empty(); }

}  // namespace net
