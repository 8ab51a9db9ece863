// Daemon restart: state survives, dead containers' endpoints/ports/netns go, the nft table
// is rewritten from state (no stale rule, none missing), addresses are never handed out twice.
#include <doctest/doctest.h>
#include <unistd.h>

#include "net/bridge_attacher.h"
#include "net/netlink.h"
#include "net/nft_rules.h"
#include "tests/integration/net/net_fixture.h"

using engine::PortBinding;
using nettest::Env;

TEST_CASE("net: reconcile after a crash keeps live containers and drops dead ones") {
  Env env;
  auto n = env.network("rc");
  std::string live = test::unique_name("live"), dead = test::unique_name("dead");
  auto pl = env.netns(live);
  env.netns(dead);
  auto el = env.attach(live, n, {"live"});
  auto ed = env.attach(dead, n, {"dead"});
  REQUIRE(env.net->publish(live, el.ipv4, {PortBinding{"127.0.0.1", 0, 0, 80, 0, "tcp"}}).ok());
  auto dp = env.net->publish(dead, ed.ipv4, {PortBinding{"127.0.0.1", 0, 0, 80, 0, "tcp"}});
  REQUIRE(dp.ok());

  // Simulate kill -9 and a tampered table: the attacher goes away without cleanup and the
  // table loses its rules; a stale rule is added by hand.
  env.restart();
  REQUIRE(net::nft_apply("flush table ip " + env.opts.nft_table + "\n").ok());
  REQUIRE(net::nft_apply("add rule ip " + env.opts.nft_table + " publish tcp dport 1 dnat to 10.213.255.9:1\n").ok());
  REQUIRE(env.net->reconcile({live}).ok());

  std::string rules = net::nft_list_table(env.opts.nft_table);
  CHECK(rules.find("dnat to " + el.ipv4 + ":80") != std::string::npos);
  CHECK(rules.find("dnat to " + ed.ipv4 + ":80") == std::string::npos);
  CHECK(rules.find("10.213.255.9") == std::string::npos);
  CHECK(rules.find("masquerade") != std::string::npos);

  auto info = env.net->inspect_network(n.spec.id);
  REQUIRE(info.ok());
  REQUIRE(info->endpoints.size() == 1);
  CHECK(info->endpoints[0].container_id == live);
  auto sk = net::NetlinkSocket::open();
  REQUIRE(sk.ok());
  CHECK_FALSE(net::link_index(*sk, net::host_veth_name(dead, n.spec.id)).ok());
  CHECK(net::link_index(*sk, net::host_veth_name(live, n.spec.id)).ok());
  CHECK(::access((env.opts.run_dir + "/netns/" + dead).c_str(), F_OK) != 0);
  // DNS names of the live container are served again after the restart.
  CHECK(nettest::dns_query(pl, n.spec.gateway, "live") == std::vector<std::string>{el.ipv4});
  CHECK(nettest::dns_query(pl, n.spec.gateway, "dead").empty());
  // The live port is reserved again: publishing it twice fails.
  auto again = env.net->publish(dead, ed.ipv4, {PortBinding{"127.0.0.1", dp->at(0).host_port, 0, 80, 0, "tcp"}});
  CHECK(again.ok());  // the dead container's port was released
  REQUIRE(env.net->unpublish(dead).ok());

  // Addresses persisted: a new container never gets the live one's address.
  std::string fresh = test::unique_name("new");
  env.netns(fresh);
  auto ef = env.attach(fresh, n, {"new"});
  CHECK(ef.ipv4 != el.ipv4);
}

TEST_CASE("net: reconcile recreates a missing bridge from state") {
  Env env;
  auto n = env.network("rb");
  auto sk = net::NetlinkSocket::open();
  REQUIRE(sk.ok());
  REQUIRE(net::delete_link(*sk, n.bridge).ok());
  env.restart();
  REQUIRE(env.net->reconcile({}).ok());
  CHECK(net::link_index(*sk, n.bridge).ok());
  std::string c = test::unique_name("c");
  auto p = env.netns(c);
  auto e = env.attach(c, n, {"back"});
  CHECK(nettest::dns_query(p, n.spec.gateway, "back") == std::vector<std::string>{e.ipv4});
}

TEST_CASE("net: built-in networks are listed as Docker lists them") {
  Env env;
  env.opts.default_bridge = test::unique_name("d").substr(0, 15);
  env.restart();
  REQUIRE(env.net->reconcile({}).ok());
  auto nets = env.net->list_networks();
  REQUIRE(nets.ok());
  REQUIRE(nets->size() >= 3);
  CHECK(nets->at(0).spec.name == "bridge");
  CHECK(nets->at(0).bridge == env.opts.default_bridge);
  CHECK(nets->at(1).spec.name == "host");
  CHECK(nets->at(2).spec.name == "none");
  CHECK(env.net->dns_server_for("bridge").empty());
  auto rm = env.net->remove_network("host");
  REQUIRE_FALSE(rm.ok());
  CHECK(rm.error().code == engine::base::Code::FailedPrecondition);
  // prune removes user networks without endpoints only.
  auto user = env.network("pr");
  auto pruned = env.net->prune_networks();
  REQUIRE(pruned.ok());
  CHECK(*pruned == std::vector<std::string>{user.spec.name});
  CHECK(env.net->list_networks()->size() == 3);
  // The default bridge is torn down by hand: it is pre-defined.
  auto sk = net::NetlinkSocket::open();
  REQUIRE(sk.ok());
  REQUIRE(net::delete_link(*sk, env.opts.default_bridge).ok());
}

TEST_CASE("net: the subnet pool skips ranges another engine already routes") {
  Env env;
  auto sk = net::NetlinkSocket::open();
  REQUIRE(sk.ok());
  // Another engine's bridge on the first pool subnet (made and removed by this test).
  std::string other = test::unique_name("o").substr(0, 15);
  REQUIRE(net::create_bridge(*sk, other).ok());
  struct Cleanup {
    const net::NetlinkSocket& sk;
    std::string name;
    ~Cleanup() { (void)net::delete_link(sk, name); }
  } cleanup{*sk, other};
  REQUIRE(net::add_address(*sk, other, *net::parse_ipv4("10.213.0.1"), 24).ok());
  auto n = env.network("skip");
  CHECK(n.spec.subnet != "10.213.0.0/24");
  CHECK(n.spec.subnet.rfind("10.213.", 0) == 0);
  // A given subnet that overlaps an existing berth network is refused.
  engine::NetworkSpec s;
  s.name = test::unique_name("dup");
  s.subnet = n.spec.subnet;
  auto dup = env.net->create_network(s);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == engine::base::Code::AlreadyExists);
  // enable_ipv6 says it is not there yet.
  s.subnet.clear();
  s.enable_ipv6 = true;
  auto v6 = env.net->create_network(s);
  REQUIRE_FALSE(v6.ok());
  CHECK(v6.error().message == "create network " + s.name + ": enable_ipv6 is not supported yet (IPv4 only)");
}
