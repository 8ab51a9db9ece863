#pragma once
/// Shared setup of the net integration tests: an attacher on temp state with its own nft
/// table, a subnet pool in 10.213.0.0/16, a fake upstream resolver on 127.0.0.1, and a
/// teardown that removes everything the test made even when it failed.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/network.h"
#include "net/dns_server.h"
#include "tests/support/test_util.h"

namespace nettest {

/// Answers every query NXDOMAIN except "example.test" (A 198.51.100.7); counts queries.
class FakeResolver {
 public:
  FakeResolver();
  ~FakeResolver();
  int port() const { return port_; }
  int queries() const { return queries_; }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

/// One attacher on private state; tracks netns and networks for teardown.
struct Env {
  Env();
  ~Env();
  engine::NetworkOptions opts;
  test::TempDir dir{"berth-net"};
  FakeResolver upstream;
  std::shared_ptr<net::DnsServer> dns;
  std::unique_ptr<engine::NetworkAttacher> net;
  std::vector<std::string> containers;

  /// Recreates the attacher on the same state (a daemon restart); the old one is dropped.
  void restart();
  /// Creates a network named test::unique_name(suffix).
  engine::NetworkInfo network(const std::string& suffix, bool internal = false);
  /// A netns for a new container id; returns its path.
  std::string netns(const std::string& cid);
  /// Attaches cid (netns made by netns()) with dns names.
  engine::EndpointInfo attach(const std::string& cid, const engine::NetworkInfo& n,
                              const std::vector<std::string>& names, const std::string& ip = "");
  void teardown();
};

/// Runs f on a thread that has entered the netns at path; returns f's result.
int in_netns(const std::string& path, const std::function<int()>& f);
/// A TCP listener on 0.0.0.0:port inside the netns; a thread answers each connection with reply.
class Server {
 public:
  Server(const std::string& netns_path, int port, std::string reply);
  ~Server();

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};
/// Connects (TCP, 2 s timeout) from inside netns ("" = host) and returns what the peer sends,
/// or "ERR:<errno text>".
std::string tcp_fetch(const std::string& netns_path, const std::string& ip, int port);
/// A queries name at server:53 from inside the netns; returns the addresses.
std::vector<std::string> dns_query(const std::string& netns_path, const std::string& server, const std::string& name);

}  // namespace nettest
