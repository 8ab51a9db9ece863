// berth net benchmark: time to attach a netns to a bridge network (veth, address, route,
// DNS registration) against the same steps done with ip(8), and embedded-DNS queries per
// second from inside a namespace. Prints a Markdown table. Runs as root; creates and removes
// its own networks, namespaces and nftables table; traffic goes only to bridges it created.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/network.h"
#include "net/bridge_attacher.h"
#include "net/dns_message.h"
#include "net/nft_rules.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Stats {
  double median = 0, min = 0, max = 0;
};

Stats stats(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

/// Runs argv and waits; true on exit 0.
bool run(const std::vector<std::string>& argv) {
  std::vector<char*> a;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, a[0], nullptr, nullptr, a.data(), environ) != 0) return false;
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/// A queries for name to server:53 from inside netns, 32 in flight, for secs; answers/s.
double dns_qps(const std::string& netns, const std::string& server, const std::string& name, double secs) {
  double qps = 0;
  std::thread t([&] {
    int nsfd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || ::setns(nsfd, CLONE_NEWNET) != 0) return;
    ::close(nsfd);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(53);
    ::inet_pton(AF_INET, server.c_str(), &sa.sin_addr);
    ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    std::string q = net::build_dns_query(1, name);
    long answered = 0, inflight = 0;
    auto start = Clock::now();
    auto end = start + std::chrono::duration<double>(secs);
    char buf[1500];
    while (Clock::now() < end) {
      while (inflight < 32 && ::send(fd, q.data(), q.size(), 0) >= 0) ++inflight;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) {
        inflight = 0;  // lost packets: refill the window
        continue;
      }
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
        ++answered;
        --inflight;
      }
    }
    qps = double(answered) / std::chrono::duration<double>(Clock::now() - start).count();
    ::close(fd);
  });
  t.join();
  return qps;
}

/// One run: n namespaces attached to a fresh network. Returns the median attach time (ms);
/// stores the DNS rate measured from the first namespace in *qps.
double berth_run(engine::NetworkAttacher& att, int n, int run_no, double* qps) {
  engine::NetworkSpec spec;
  spec.name = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(run_no);
  auto nw = att.create_network(spec);
  if (!nw) {
    std::fprintf(stderr, "%s\n", nw.error().str().c_str());
    return -1;
  }
  std::vector<std::string> ids, paths;
  std::vector<double> times;
  for (int i = 0; i < n; ++i) {
    std::string id = "b" + std::to_string(run_no) + "-" + std::to_string(i);
    auto p = att.create_netns(id);
    if (!p) break;
    ids.push_back(id);
    paths.push_back(*p);
    engine::EndpointSpec e;
    e.network_id = nw->spec.id;
    e.container_id = id;
    e.netns_path = *p;
    e.dns_names = {"svc", id};
    auto t0 = Clock::now();
    auto r = att.attach(e);
    times.push_back(ms_since(t0));
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().str().c_str());
      break;
    }
  }
  if (!ids.empty()) *qps = dns_qps(paths[0], nw->spec.gateway, ids.back(), 2.0);
  for (const auto& id : ids) {
    (void)att.detach(id, nw->spec.id);
    (void)att.remove_netns(id);
  }
  (void)att.remove_network(nw->spec.id);
  return stats(times).median;
}

/// The same attach steps with ip(8) (what a shell CNI plugin does): median ms over n.
double ip_run(int n, int run_no) {
  std::string br = "bnb" + std::to_string(::getpid() % 100000);
  run({"ip", "link", "add", br, "type", "bridge"});
  run({"ip", "addr", "add", "10.215.0.1/24", "dev", br});
  run({"ip", "link", "set", br, "up"});
  std::vector<double> times;
  std::vector<std::string> nss;
  for (int i = 0; i < n; ++i) {
    std::string ns = "bnb" + std::to_string(run_no) + "x" + std::to_string(i) + "p" + std::to_string(::getpid());
    run({"ip", "netns", "add", ns});
    nss.push_back(ns);
    std::string veth = "vnb" + std::to_string(::getpid() % 10000) + "x" + std::to_string(i);
    std::string ip = "10.215.0." + std::to_string(i + 2) + "/24";
    auto t0 = Clock::now();
    bool ok = run({"ip", "link", "add", veth, "master", br, "up", "type", "veth", "peer", "name", "eth0", "netns", ns}) &&
              run({"ip", "-n", ns, "addr", "add", ip, "dev", "eth0"}) &&
              run({"ip", "-n", ns, "link", "set", "eth0", "up"}) &&
              run({"ip", "-n", ns, "route", "add", "default", "via", "10.215.0.1"});
    times.push_back(ms_since(t0));
    run({"ip", "link", "del", veth});
    if (!ok) break;
  }
  for (const auto& ns : nss) run({"ip", "netns", "del", ns});
  run({"ip", "link", "del", br});
  return stats(times).median;
}

void row(const char* what, const Stats& b, const char* peer_name, const Stats& p, const char* goal) {
  std::printf("| %s | %.3f (%.3f–%.3f) | %s | %.3f (%.3f–%.3f) | %.2f | %s |\n", what, b.median, b.min, b.max, peer_name,
              p.median, p.min, p.max, p.median > 0 ? b.median / p.median : 0.0, goal);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 30;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string tmp = std::filesystem::temp_directory_path() / ("berth-net-bench-" + std::to_string(::getpid()));
  engine::NetworkOptions o;
  o.state_dir = tmp + "/state";
  o.run_dir = tmp + "/run";
  o.nft_table = "berth_bench_" + std::to_string(::getpid());
  o.default_bridge = "";
  o.dns_upstreams = {"127.0.0.1:9"};  // never asked: the benchmark only queries known names
  o.subnet_pool = {"10.214.0.0/16:24"};
  o.host_resolv_conf = "/dev/null";
  auto dns = net::make_dns_server(o);
  if (!dns->start()) return 1;
  auto att = net::make_bridge_network_attacher(o, dns);
  std::vector<double> berth_ms, ip_ms, qps, noop_ms;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    run({"true"});
    noop_ms.push_back(ms_since(t0));
    double q = 0;
    berth_ms.push_back(berth_run(*att, n, r, &q));
    qps.push_back(q);
    ip_ms.push_back(ip_run(n, r));
  }
  (void)net::nft_delete_table(o.nft_table);
  att.reset();
  dns->stop();
  std::filesystem::remove_all(tmp);
  Stats noop = stats(noop_ms);
  std::printf("berth net: %d runs, %d attaches per run; nproc=%u\n\n", runs, n, std::thread::hardware_concurrency());
  std::printf("| measure | berth median (min–max) | peer | peer median (min–max) | berth/peer | goal |\n");
  std::printf("|---|---|---|---|---|---|\n");
  row("attach one netns, ms (median of run medians)", stats(berth_ms), "ip(8) commands", stats(ip_ms), "< 5 ms");
  Stats q = stats(qps);
  std::printf("| embedded DNS, queries/s from a netns | %.0f (%.0f–%.0f) | docker/podman DNS | n/a | – | ≥ 20,000 |\n",
              q.median, q.min, q.max);
  std::printf("\nnoise: spawn of `true` %.3f ms median, spread max/min %.2f\n", noop.median,
              noop.min > 0 ? noop.max / noop.min : 0.0);
  return 0;
}
