#pragma once
/// The embedded DNS server (one per daemon). It listens on UDP port 53 of each user network's
/// gateway address, as podman's aardvark-dns does, so the network a query arrived on gives its
/// scope: a container only resolves names of networks it is on. Names of the network (service
/// names, container names, hostnames, aliases) answer with A records of every endpoint
/// carrying them, in rotating order; anything else is forwarded to the upstream resolvers
/// (the host's) and the answer relayed. AAAA queries for known names get an empty answer.
/// One thread serves every UDP listener (epoll); names and listeners may change while it runs.
/// TCP (clients retry there after a truncated answer) is served on the same address, one
/// short-lived thread per connection (dns_tcp.cc).
#include <condition_variable>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"
#include "net/ipv4.h"

namespace net {

/// Where unknown names go.
struct DnsServerOptions {
  std::vector<std::string> upstreams;  ///< "ip" or "ip:port"; empty = answer SERVFAIL
  int forward_timeout_ms = 5000;
  uint32_t ttl = 600;
};

/// Upstream resolvers from a resolv.conf text, loopback ones included (berthd runs on the host).
std::vector<std::string> upstreams_from_resolv_conf(const std::string& text);

class DnsServer {
 public:
  explicit DnsServer(DnsServerOptions opts);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  /// Starts the serving thread (idempotent).
  engine::base::Status start();
  /// Stops and joins the serving thread; listeners and names stay.
  void stop();
  /// Serves network_id's names on ip:port (UDP; port 0 = any); returns the bound port.
  /// Replaces an earlier listener of the network.
  engine::base::Result<int> add_listener(const std::string& network_id, Ipv4 ip, int port = 53);
  void remove_listener(const std::string& network_id);
  /// Registers the names of one endpoint (container on a network); replaces earlier ones.
  void register_endpoint(const std::string& network_id, const std::string& container_id,
                         const std::vector<std::string>& names, Ipv4 ip);
  void unregister_endpoint(const std::string& network_id, const std::string& container_id);
  /// Forgets a network's names and listener.
  void remove_network(const std::string& network_id);
  /// What a query for name on network_id answers now (rotates like a real query).
  std::vector<Ipv4> resolve(const std::string& network_id, const std::string& name);
  /// Number of names registered across networks (tests: nothing left after removal).
  size_t name_count() const;

 private:
  struct Endpoint {
    std::vector<std::string> names;
    Ipv4 ip;
  };
  struct Network {
    engine::base::UniqueFd fd, tcp_fd;
    std::map<std::string, Endpoint> endpoints;           ///< by container id
    std::map<std::string, std::vector<Ipv4>> names;      ///< lowercase name → addresses
    std::map<std::string, uint32_t> rotation;
  };
  struct Pending;

  void rebuild_names(Network& n);
  std::vector<Ipv4> resolve_locked(Network& n, const std::string& name);
  void loop();
  void serve_listener(int fd);
  /// A local answer to q on network n, or nullopt when q must be forwarded (mu_ held).
  std::optional<std::string> local_answer(Network& n, const struct DnsQuery& q);
  void accept_tcp(int listen_fd);
  void serve_tcp(int conn, std::string network_id);
  void serve_upstream();
  void expire_pending();

  DnsServerOptions opts_;
  mutable std::mutex mu_;
  std::map<std::string, Network> networks_;
  std::map<int, std::string> fd_network_, tcp_fd_network_;
  int tcp_workers_ = 0;
  std::condition_variable tcp_done_;
  engine::base::UniqueFd epoll_, wake_, upstream_;
  std::vector<std::pair<Ipv4, int>> upstream_addrs_;
  std::map<uint16_t, std::unique_ptr<Pending>> pending_;
  uint16_t next_id_ = 1;
  std::thread thread_;
  bool running_ = false;
};

}  // namespace net
