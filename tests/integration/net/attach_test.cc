// Attaching namespaces to bridge networks: reachability by name and alias, isolation between
// networks, internal networks, replicas in DNS, static addresses, and a clean teardown.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "net/bridge_attacher.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/nft_rules.h"
#include "tests/integration/net/net_fixture.h"

using nettest::Env;

namespace {

bool link_exists(const std::string& name) {
  auto sk = net::NetlinkSocket::open();
  return sk && net::link_index(*sk, name).ok();
}

}  // namespace

TEST_CASE("net: two namespaces on a user network reach each other by name and alias") {
  Env env;
  auto n = env.network("front");
  std::string c1 = test::unique_name("a"), c2 = test::unique_name("b");
  auto p1 = env.netns(c1), p2 = env.netns(c2);
  auto e1 = env.attach(c1, n, {"web", c1, "www"});
  auto e2 = env.attach(c2, n, {"db", c2, "database"});
  CHECK(e1.ifname == "eth0");
  CHECK(e1.gateway == n.spec.gateway);
  CHECK(env.net->dns_server_for(n.spec.id) == n.spec.gateway);

  CHECK(nettest::dns_query(p1, n.spec.gateway, "db") == std::vector<std::string>{e2.ipv4});
  CHECK(nettest::dns_query(p1, n.spec.gateway, "database") == std::vector<std::string>{e2.ipv4});
  CHECK(nettest::dns_query(p2, n.spec.gateway, "www") == std::vector<std::string>{e1.ipv4});
  nettest::Server server(p2, 7000, "hello from db");
  CHECK(nettest::tcp_fetch(p1, nettest::dns_query(p1, n.spec.gateway, "database").at(0), 7000) == "hello from db");

  // A stock resolver inside the namespace gets the same answer.
  auto r = test::run_command({"nsenter", "--net=" + p1, "busybox", "nslookup", "web", n.spec.gateway});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(e1.ipv4) != std::string::npos);
}

TEST_CASE("net: namespaces on different networks cannot reach each other") {
  Env env;
  auto a = env.network("neta"), b = env.network("netb");
  CHECK(a.spec.subnet != b.spec.subnet);
  std::string c1 = test::unique_name("a"), c2 = test::unique_name("b");
  auto p1 = env.netns(c1), p2 = env.netns(c2);
  env.attach(c1, a, {"one"});
  auto e2 = env.attach(c2, b, {"two"});
  nettest::Server server(p2, 7001, "secret");
  // The host itself reaches c2 (sanity: the server works), c1 does not.
  CHECK(nettest::tcp_fetch("", e2.ipv4, 7001) == "secret");
  CHECK(nettest::tcp_fetch(p1, e2.ipv4, 7001).rfind("ERR:", 0) == 0);
  // Names are scoped: network a's DNS does not know "two" (forwarded, NXDOMAIN).
  CHECK(nettest::dns_query(p1, a.spec.gateway, "two").empty());
  CHECK(env.upstream.queries() >= 1);
}

TEST_CASE("net: an internal network has no route out") {
  Env env;
  auto in = env.network("int", true), out = env.network("out");
  CHECK(in.spec.internal);
  std::string c1 = test::unique_name("a"), c2 = test::unique_name("b"), c3 = test::unique_name("c");
  auto p1 = env.netns(c1), p2 = env.netns(c2), p3 = env.netns(c3);
  auto e1 = env.attach(c1, in, {"inner"});
  auto e2 = env.attach(c2, in, {"peer"});
  auto e3 = env.attach(c3, out, {"outside"});
  CHECK(e1.gateway.empty());
  nettest::Server peer(p2, 7002, "peer");
  nettest::Server outside(p3, 7002, "outside");
  CHECK(nettest::tcp_fetch(p1, e2.ipv4, 7002) == "peer");
  CHECK(nettest::tcp_fetch(p1, e3.ipv4, 7002) == "ERR:Network is unreachable");
  auto r = test::run_command({"nsenter", "--net=" + p1, "ip", "route"});
  CHECK(r.out.find("default") == std::string::npos);
  // Names still resolve inside the internal network.
  CHECK(nettest::dns_query(p1, in.spec.gateway, "peer") == std::vector<std::string>{e2.ipv4});
}

TEST_CASE("net: every replica of a service resolves, in rotating order") {
  Env env;
  auto n = env.network("svc");
  std::vector<std::string> ips;
  for (int i = 0; i < 3; ++i) {
    std::string c = test::unique_name("r" + std::to_string(i));
    env.netns(c);
    ips.push_back(env.attach(c, n, {"api", "stack-api-" + std::to_string(i + 1)}).ipv4);
  }
  std::string client = test::unique_name("cl");
  auto pc = env.netns(client);
  env.attach(client, n, {"client"});
  auto first = nettest::dns_query(pc, n.spec.gateway, "api");
  auto second = nettest::dns_query(pc, n.spec.gateway, "api");
  CHECK(first.size() == 3);
  CHECK(first != second);
  std::sort(first.begin(), first.end());
  std::sort(ips.begin(), ips.end());
  CHECK(first == ips);
  CHECK(nettest::dns_query(pc, n.spec.gateway, "stack-api-2").size() == 1);
  // A replica that stops disappears from DNS.
  REQUIRE(env.net->detach(env.containers[0], n.spec.id).ok());
  CHECK(nettest::dns_query(pc, n.spec.gateway, "api").size() == 2);
  // Other names go to the (fake) upstream resolver.
  CHECK(nettest::dns_query(pc, n.spec.gateway, "example.test") == std::vector<std::string>{"198.51.100.7"});
}

TEST_CASE("net: static address, MAC and a second network as eth1") {
  Env env;
  auto a = env.network("sa"), b = env.network("sb");
  std::string c = test::unique_name("s");
  auto p = env.netns(c);
  engine::EndpointSpec s;
  s.network_id = a.spec.id;
  s.container_id = c;
  s.netns_path = p;
  s.ipv4 = a.spec.gateway.substr(0, a.spec.gateway.rfind('.')) + ".50";
  s.mac = "02:42:ac:11:00:99";
  auto e = env.net->attach(s);
  REQUIRE(e.ok());
  CHECK(e->ipv4 == s.ipv4);
  CHECK(e->mac == s.mac);
  // The same static address again is refused.
  std::string c2 = test::unique_name("s2");
  s.container_id = c2;
  s.netns_path = env.netns(c2);
  s.mac.clear();
  auto dup = env.net->attach(s);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message.find("address " + s.ipv4 + " is already in use") != std::string::npos);

  engine::EndpointSpec s2;
  s2.network_id = b.spec.id;
  s2.container_id = c;
  s2.netns_path = p;
  s2.ifname = "eth1";
  s2.default_route = false;
  REQUIRE(env.net->attach(s2).ok());
  auto r = test::run_command({"nsenter", "--net=" + p, "ip", "-o", "-4", "addr"});
  CHECK(r.out.find("eth0") != std::string::npos);
  CHECK(r.out.find("eth1") != std::string::npos);
  auto routes = test::run_command({"nsenter", "--net=" + p, "ip", "route", "show", "default"});
  CHECK(routes.out.find("via " + a.spec.gateway + " dev eth0") != std::string::npos);

  auto busy = env.net->remove_network(a.spec.id);
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().code == engine::base::Code::FailedPrecondition);
}

TEST_CASE("net: after removal nothing is left") {
  std::string bridge, veth_probe, table, run_dir;
  std::shared_ptr<net::DnsServer> dns;
  {
    Env env;
    table = env.opts.nft_table;
    run_dir = env.opts.run_dir;
    auto n = env.network("gone");
    bridge = n.bridge;
    std::string c = test::unique_name("g");
    env.netns(c);
    env.attach(c, n, {"gone"});
    auto pub = env.net->publish(c, env.net->inspect_network(n.spec.id)->endpoints.at(0).ipv4,
                                {engine::PortBinding{"127.0.0.1", 0, 0, 80, 0, "tcp"}});
    REQUIRE(pub.ok());
    CHECK(link_exists(bridge));
    CHECK(net::nft_table_exists(table));
    CHECK(env.dns->name_count() == 1);
    REQUIRE(env.net->unpublish(c).ok());
    REQUIRE(env.net->detach(c, n.spec.id).ok());
    CHECK(env.dns->name_count() == 0);
    REQUIRE(env.net->remove_netns(c).ok());
    REQUIRE(env.net->remove_network(n.spec.id).ok());
    CHECK_FALSE(link_exists(bridge));
    CHECK_FALSE(net::nft_table_exists(table));
    CHECK_FALSE(::access((run_dir + "/netns/" + c).c_str(), F_OK) == 0);
    CHECK_FALSE(link_exists(net::host_veth_name(c, n.spec.id)));
    dns = env.dns;
  }
  CHECK(dns->name_count() == 0);
}

TEST_CASE("net: an exited container's veth goes in the background and its address only with it") {
  Env env;
  auto n = env.network("drain");
  std::string a = test::unique_name("a"), b = test::unique_name("b");
  env.netns(a);
  env.netns(b);
  auto ea = env.attach(a, n, {"old"});
  std::string veth_a = net::host_veth_name(a, n.spec.id), veth_b = net::host_veth_name(b, n.spec.id);
  REQUIRE(link_exists(veth_a));
  REQUIRE(env.net->detach_exited(a, n.spec.id).ok());
  CHECK(env.net->inspect_network(n.spec.id)->endpoints.empty());
  CHECK(env.dns->name_count() == 0);
  // Its address, taken at once by a static attach: the old veth is gone by the time it returns.
  auto eb = env.attach(b, n, {"new"}, ea.ipv4);
  CHECK(eb.ipv4 == ea.ipv4);
  CHECK_FALSE(link_exists(veth_a));
  // A restart right after the exit gets the same veth name again.
  REQUIRE(env.net->detach_exited(b, n.spec.id).ok());
  env.attach(b, n, {"new"});
  CHECK(link_exists(veth_b));
  REQUIRE(env.net->detach_exited(b, n.spec.id).ok());
  env.net->wait_released(b);
  CHECK_FALSE(link_exists(veth_b));
  CHECK(env.net->remove_network(n.spec.id).ok());
}

TEST_CASE("net: concurrent attaches get distinct addresses and all resolve") {
  Env env;
  auto n = env.network("par");
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(test::unique_name("p" + std::to_string(i)));
  for (const auto& id : ids) env.netns(id);
  std::vector<std::string> ips(ids.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      engine::EndpointSpec s;
      s.network_id = n.spec.id;
      s.container_id = ids[i];
      s.netns_path = env.opts.run_dir + "/netns/" + ids[i];
      s.dns_names = {"pool"};
      auto e = env.net->attach(s);
      if (e) ips[i] = e->ipv4;
    });
  for (auto& t : threads) t.join();
  std::set<std::string> distinct(ips.begin(), ips.end());
  CHECK(distinct.size() == ids.size());
  CHECK(distinct.count("") == 0);
  auto got = nettest::dns_query(env.opts.run_dir + "/netns/" + ids[0], n.spec.gateway, "pool");
  CHECK(std::set<std::string>(got.begin(), got.end()) == distinct);
}
