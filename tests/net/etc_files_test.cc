#include "net/etc_files.h"

#include <doctest/doctest.h>

TEST_CASE("etc_files: hosts lists localhost, extra_hosts, then the container") {
  engine::HostsSpec s;
  s.hostname = "web";
  s.domainname = "example.org";
  s.addresses = {"172.18.0.2"};
  s.extra_hosts = {{"db.local", "10.0.0.9"}, {"host.docker.internal", "172.18.0.1"}};
  CHECK(net::render_hosts(s) ==
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n"
        "10.0.0.9\tdb.local\n"
        "172.18.0.1\thost.docker.internal\n"
        "172.18.0.2\tweb.example.org web\n");
}

TEST_CASE("etc_files: resolv.conf points at the embedded DNS and keeps host search/options") {
  std::string host = "# generated\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n";
  engine::ResolvSpec s;
  CHECK(net::render_resolv_conf(s, "172.18.0.1", host) ==
        "nameserver 172.18.0.1\nsearch corp.example\noptions edns0 trust-ad\n");
  s.dns_search = {"a.example", "b.example"};
  s.dns_options = {"ndots:2"};
  CHECK(net::render_resolv_conf(s, "172.18.0.1", host) ==
        "nameserver 172.18.0.1\nsearch a.example b.example\noptions ndots:2\n");
  s.dns = {"9.9.9.9"};
  CHECK(net::render_resolv_conf(s, "172.18.0.1", host) == "nameserver 9.9.9.9\nsearch a.example b.example\noptions ndots:2\n");
}

TEST_CASE("etc_files: default bridge uses host resolvers without loopback ones") {
  engine::ResolvSpec s;
  CHECK(net::render_resolv_conf(s, "", "nameserver 127.0.0.53\n") == "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  CHECK(net::render_resolv_conf(s, "", "nameserver 127.0.0.1\nnameserver 10.1.1.1\n\tnameserver\t10.1.1.2\n") ==
        "nameserver 10.1.1.1\nnameserver 10.1.1.2\n");
}

TEST_CASE("etc_files: host-gateway in extra_hosts is the gateway address") {
  engine::HostsSpec s;
  s.extra_hosts = {{"host.docker.internal", "host-gateway"}};
  std::string base = net::render_hosts(engine::HostsSpec{});
  CHECK(net::render_hosts(s) == base);
  s.host_gateway = "172.18.0.1";
  CHECK(net::render_hosts(s) == base + "172.18.0.1\thost.docker.internal\n");
}
