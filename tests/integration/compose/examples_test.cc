// The examples/ stacks come up healthy and go down leaving nothing behind.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "engine/base/fs.h"
#include "tests/integration/daemon_fixture.h"

namespace {

std::string example(const std::string& name) { return std::string(BERTH_SOURCE_DIR) + "/examples/" + name; }

/// IDs of every container the daemon has (taken while a stack is up, to check its leftovers later).
std::vector<std::string> container_ids(const test::DaemonFixture& d) {
  std::vector<std::string> ids;
  std::string out = d.berth({"ps", "-aq", "--no-trunc"}).out;
  for (size_t at = 0; at < out.size();) {
    size_t nl = out.find('\n', at);
    if (nl == std::string::npos) nl = out.size();
    if (nl > at) ids.push_back(out.substr(at, nl - at));
    at = nl + 1;
  }
  return ids;
}

/// Nothing of the daemon's is left on the host: containers, networks, volumes, links, mounts,
/// cgroups, nftables rules, processes.
void check_nothing_left(const test::DaemonFixture& d, const std::vector<std::string>& ids = {}) {
  CHECK(d.berth({"ps", "-aq"}).out.empty());
  CHECK(d.berth({"volume", "ls", "-q"}).out.empty());
  auto nets = d.berth({"network", "ls", "--format", "json"}).out;
  CHECK(nets.find("quickstart") == std::string::npos);
  CHECK(nets.find("fixture") == std::string::npos);
  CHECK(nets.find("devenv") == std::string::npos);
  auto links = test::run_command({"ip", "-o", "link", "show", "type", "veth"}).out;
  CHECK(links.find("vb") == std::string::npos);
  auto shims = test::run_command({"pgrep", "-f", "berth-shim.*" + d.root()});
  CHECK(shims.out.empty());
  std::string mounts = engine::base::read_file("/proc/self/mountinfo").value_or("");
  CHECK(mounts.find(d.root() + "/") == std::string::npos);
  for (const std::string& id : ids) {
    INFO(id);
    CHECK(mounts.find(id) == std::string::npos);
    for (const char* ctl : {"memory", "pids", "cpu", "cpuset", "freezer", "blkio", "devices", "unified", ""})
      CHECK_FALSE(engine::base::path_exists(std::string("/sys/fs/cgroup/") + ctl + "/berth/" + id));
  }
  // The daemon's nftables table keeps its base chains, but no rule that names a container port.
  auto nft = test::run_command({"nft", "list", "table", "ip", d.nft_table()}).out;
  INFO(nft);
  CHECK(nft.find("dnat to") == std::string::npos);
  CHECK(nft.find("dport") == std::string::npos);
}

}  // namespace

TEST_CASE("examples: quickstart comes up healthy, serves on 127.0.0.1:8080, and down -v leaves nothing") {
  test::DaemonFixture d;
  std::vector<std::string> env = d.env();
  env.push_back("PATH=" + std::string(BERTH_BIN_DIR) + ":/usr/sbin:/usr/bin:/sbin:/bin");
  auto img = test::run_command({example("make-busybox-image.sh")}, env, 120);
  INFO(img.err);
  REQUIRE(img.exit_code == 0);
  std::string file = example("quickstart/compose.yaml");
  auto up = test::run_command({test::bin("berth"), "compose", "-f", file, "--progress", "plain", "up", "-d", "--wait"},
                              env, 180);
  INFO(up.out, up.err);
  REQUIRE(up.exit_code == 0);
  auto ps = d.berth({"compose", "-f", file, "ps", "--format", "json"});
  CHECK(ps.out.find("\"healthy\"") != std::string::npos);
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = test::run_command({"curl", "-sf", "-m", "2", "http://127.0.0.1:8080/"}).exit_code == 0;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(served);
  auto ids = container_ids(d);
  CHECK(ids.size() >= 4);
  auto down = test::run_command({test::bin("berth"), "compose", "-f", file, "down", "-v", "-t", "1"}, env, 120);
  CHECK(down.exit_code == 0);
  d.berth({"rmi", "berth-busybox:latest"});
  check_nothing_left(d, ids);
}

TEST_CASE("examples: the test-fixture script brings its stack up, checks it and takes it down") {
  test::DaemonFixture d;
  std::vector<std::string> env = d.env();
  env.push_back("PATH=" + std::string(BERTH_BIN_DIR) + ":/usr/sbin:/usr/bin:/sbin:/bin");
  REQUIRE(test::run_command({example("make-busybox-image.sh")}, env, 120).exit_code == 0);
  auto r = test::run_command({example("test-fixture/run-tests.sh")}, env, 180);
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("FAIL") == std::string::npos);
  check_nothing_left(d);
}

TEST_CASE("examples: dev-env serves the bind-mounted source live and goes down leaving nothing") {
  test::DaemonFixture d;
  std::vector<std::string> env = d.env();
  env.push_back("PATH=" + std::string(BERTH_BIN_DIR) + ":/usr/sbin:/usr/bin:/sbin:/bin");
  REQUIRE(test::run_command({example("make-busybox-image.sh")}, env, 120).exit_code == 0);
  // A copy of the example, so the test can edit its source like a developer would.
  test::TempDir dir("berth-devenv");
  REQUIRE(test::run_command({"cp", "-r", example("dev-env/."), dir.path()}).exit_code == 0);
  std::string file = dir / "compose.yaml";
  auto up = test::run_command({test::bin("berth"), "compose", "-f", file, "--progress", "plain", "up", "-d", "--wait"},
                              env, 180);
  INFO(up.out, up.err);
  REQUIRE(up.exit_code == 0);
  auto fetch = [] {
    for (int i = 0; i < 50; ++i) {
      auto r = test::run_command({"curl", "-sf", "-m", "2", "http://127.0.0.1:8090/index.html"});
      if (r.exit_code == 0) return r.out;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::string("(no answer)");
  };
  CHECK(fetch() == engine::base::read_file(dir / "src/index.html").value_or("?"));
  test::write_text(dir / "src/index.html", "edited on the host\n");
  CHECK(fetch() == "edited on the host\n");
  auto ids = container_ids(d);
  CHECK(ids.size() == 1);
  auto down = test::run_command({test::bin("berth"), "compose", "-f", file, "down", "-v", "-t", "1"}, env, 120);
  CHECK(down.exit_code == 0);
  d.berth({"rmi", "berth-busybox:latest"});
  check_nothing_left(d, ids);
}
