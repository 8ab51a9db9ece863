// The examples/ stacks come up healthy and go down leaving nothing behind.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "engine/base/fs.h"
#include "tests/integration/daemon_fixture.h"

namespace {

std::string example(const std::string& name) { return std::string(BERTH_SOURCE_DIR) + "/examples/" + name; }

/// The host's veth links of berth ("vb..."), by name.
std::set<std::string> berth_veths() {
  std::set<std::string> out;
  std::string text = test::run_command({"ip", "-o", "link", "show", "type", "veth"}).out;
  for (size_t pos = 0; (pos = text.find(": vb", pos)) != std::string::npos; pos += 4)
    out.insert(text.substr(pos + 2, text.find('@', pos) - pos - 2));
  return out;
}

/// Nothing of the daemon's is left on the host: containers, networks, volumes, links (beyond
/// those of other daemons that were there before), processes.
void check_nothing_left(const test::DaemonFixture& d, const std::set<std::string>& veths_before) {
  CHECK(d.berth({"ps", "-aq"}).out.empty());
  CHECK(d.berth({"volume", "ls", "-q"}).out.empty());
  auto nets = d.berth({"network", "ls", "--format", "json"}).out;
  CHECK(nets.find("quickstart") == std::string::npos);
  CHECK(nets.find("fixture") == std::string::npos);
  for (const std::string& v : berth_veths()) CHECK_MESSAGE(veths_before.count(v), "veth left: " << v);
  auto shims = test::run_command({"pgrep", "-f", "berth-shim.*" + d.root()});
  CHECK(shims.out.empty());
}

}  // namespace

TEST_CASE("examples: quickstart comes up healthy, serves on 127.0.0.1:8080, and down -v leaves nothing") {
  test::DaemonFixture d;
  const std::set<std::string> veths = berth_veths();
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
  auto down = test::run_command({test::bin("berth"), "compose", "-f", file, "down", "-v", "-t", "1"}, env, 120);
  CHECK(down.exit_code == 0);
  d.berth({"rmi", "berth-busybox:latest"});
  check_nothing_left(d, veths);
}

TEST_CASE("examples: the test-fixture script brings its stack up, checks it and takes it down") {
  test::DaemonFixture d;
  const std::set<std::string> veths = berth_veths();
  std::vector<std::string> env = d.env();
  env.push_back("PATH=" + std::string(BERTH_BIN_DIR) + ":/usr/sbin:/usr/bin:/sbin:/bin");
  REQUIRE(test::run_command({example("make-busybox-image.sh")}, env, 120).exit_code == 0);
  auto r = test::run_command({example("test-fixture/run-tests.sh")}, env, 180);
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("FAIL") == std::string::npos);
  check_nothing_left(d, veths);
}
