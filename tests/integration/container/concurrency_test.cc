// What makes `compose up`/`down` of many services fast must not cost correctness:
// concurrent creates still give each name to one container, network teardown at exit
// leaves no veth behind (and the container starts again), and the first health check
// runs one interval after the start, as Docker's does.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/time.h"
#include "tests/integration/daemon_fixture.h"

using test::DaemonFixture;
using test::inspect;
using test::trimmed;

namespace {

/// Host ends of veth pairs enslaved to BRIDGE.
size_t bridge_ports(const std::string& bridge) {
  auto r = test::run_command({"ip", "-o", "link", "show", "master", bridge});
  size_t n = 0;
  for (char c : r.out) n += c == '\n';
  return n;
}

int64_t parse_time(const nlohmann::json& t) {
  auto ns = engine::base::parse_rfc3339(t.get<std::string>());
  REQUIRE(ns.ok());
  return *ns;
}

}  // namespace

TEST_CASE("container: concurrent creates of one name make exactly one container") {
  DaemonFixture d;
  d.import_busybox();
  const std::string body = R"({"Image": "busybox", "Cmd": ["true"]})";
  constexpr int kCreators = 8;
  std::vector<int> status(kCreators, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCreators; ++i)
    threads.emplace_back([&, i] {
      auto r = d.client().request("POST", "/containers/create?name=same", body, "application/json");
      status[size_t(i)] = r ? r->status : -1;
    });
  for (auto& t : threads) t.join();
  CHECK(std::count(status.begin(), status.end(), 201) == 1);
  CHECK(std::count(status.begin(), status.end(), 409) == kCreators - 1);
  auto ps = d.berth({"ps", "-aq"});
  CHECK(std::count(ps.out.begin(), ps.out.end(), '\n') == 1);
  CHECK(d.berth({"rm", "same"}).exit_code == 0);
}

TEST_CASE("container: a stop leaves no veth on the bridge and the container starts again") {
  DaemonFixture d;
  d.import_busybox();
  for (const char* name : {"vx1", "vx2"})
    REQUIRE(d.berth({"run", "-d", "--init", "--name", name, "busybox", "sleep", "300"}).exit_code == 0);
  CHECK(bridge_ports(d.bridge()) == 2);
  REQUIRE(d.berth({"stop", "-t", "1", "vx1", "vx2"}).exit_code == 0);
  CHECK(bridge_ports(d.bridge()) == 0);
  REQUIRE(d.berth({"start", "vx1", "vx2"}).exit_code == 0);
  CHECK(bridge_ports(d.bridge()) == 2);
  auto ip1 = inspect(d, "vx1")["NetworkSettings"]["IPAddress"].get<std::string>();
  CHECK(!ip1.empty());
  // The second container reaches the first over the bridge after the restart.
  auto ping = d.berth({"exec", "vx2", "ping", "-c", "1", "-W", "2", ip1});
  INFO(ping.out, ping.err);
  CHECK(ping.exit_code == 0);
  CHECK(d.berth({"rm", "-f", "vx1", "vx2"}).exit_code == 0);
  CHECK(bridge_ports(d.bridge()) == 0);
}

TEST_CASE("container: the first health check runs one interval after the start") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "-d", "--name", "hc1", "--health-cmd", "true", "--health-interval", "400ms", "busybox",
                    "sleep", "300"});
  REQUIRE(r.exit_code == 0);
  nlohmann::json st;
  for (int i = 0; i < 250; ++i) {
    st = inspect(d, "hc1")["State"];
    if (st["Health"]["Status"] == "healthy") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(st["Health"]["Status"] == "healthy");
  const auto& first = st["Health"]["Log"].at(0);
  int64_t after_start = parse_time(first["Start"]) - parse_time(st["StartedAt"]);
  CHECK(after_start >= 400'000'000);
  CHECK(after_start < 1'400'000'000);
  CHECK(first["ExitCode"] == 0);
  CHECK(d.berth({"rm", "-f", "hc1"}).exit_code == 0);
}
