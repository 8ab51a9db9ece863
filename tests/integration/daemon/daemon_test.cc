// The berth/berthd spine: autostart, the root lock, the socket, version and ping.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "tests/integration/daemon_fixture.h"

using test::bin;
using test::run_command;

TEST_CASE("daemon: berth version starts berthd when none answers, then reuses it") {
  test::TempDir dir("berth-autostart");
  std::string root = dir / "root";
  // The started daemon gets its own bridge and nftables table through the environment.
  std::string tag = std::to_string(::getpid() % 100000);
  std::string bridge = "bta" + tag, table = "berth_test_a" + tag;
  std::vector<std::string> env = {"BERTH_HOST=unix://" + (dir / "b.sock"), "BERTH_ROOT=" + root, "BERTH_AUTOSTART=1",
                                  "BERTH_BRIDGE=" + bridge, "BERTH_NFT_TABLE=" + table};
  engine::base::ScopeExit kill_daemon([&] {
    if (auto pid = engine::base::read_file(root + "/berthd.pid"); pid) {
      int p = std::stoi(*pid);
      ::kill(p, SIGTERM);
      for (int i = 0; i < 300 && engine::base::path_exists(root + "/berthd.pid"); ++i) ::usleep(10000);
    }
    run_command({"ip", "link", "del", bridge});
    run_command({"nft", "delete", "table", "ip", table});
  });
  auto r = run_command({bin("berth"), "version"}, env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Client:") != std::string::npos);
  CHECK(r.out.find("Server: berth engine") != std::string::npos);
  CHECK(r.out.find("API version: 1.41") != std::string::npos);
  REQUIRE(engine::base::path_exists(root + "/berthd.pid"));
  std::string pid1 = *engine::base::read_file(root + "/berthd.pid");

  // The second call finds the running daemon and starts no other.
  auto r2 = run_command({bin("berth"), "version", "--format", "json"}, env);
  REQUIRE(r2.exit_code == 0);
  auto j = nlohmann::json::parse(r2.out);
  CHECK(j["Server"]["ApiVersion"] == "1.41");
  CHECK(*engine::base::read_file(root + "/berthd.pid") == pid1);

  // The socket is 0660 and owned by root.
  struct stat st {};
  REQUIRE(::stat((dir / "b.sock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  CHECK(st.st_uid == 0);
}

TEST_CASE("daemon: a second berthd on the same root refuses with a clear message") {
  test::DaemonFixture d;
  test::TempDir other;
  auto r = run_command({bin("berthd"), "--root", d.root(), "--host", "unix://" + (other / "x.sock")}, {}, 20);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "berthd: another berthd (pid " + std::to_string(d.pid()) + ") is already running with root " +
                     d.root() + "\n");
  CHECK_FALSE(engine::base::path_exists(other / "x.sock"));
  // And a daemon on another root but the same live socket refuses too.
  auto r2 = run_command({bin("berthd"), "--root", other / "root", "--host", d.host()}, {}, 20);
  CHECK(r2.exit_code == 1);
  CHECK(r2.err.find("another daemon is already listening on this socket") != std::string::npos);
  CHECK(d.client().ping().ok());
}

TEST_CASE("daemon: /_ping answers OK with the API version header, /version has Docker's shape") {
  test::DaemonFixture d;
  auto r = run_command({"curl", "-si", "--unix-socket", d.socket(), "http://x/_ping"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Api-Version: 1.41") != std::string::npos);
  CHECK(r.out.substr(r.out.size() - 2) == "OK");
  auto v = d.client().request("GET", "/v1.41/version");
  REQUIRE(v);
  CHECK(v->status == 200);
  auto j = v->json();
  CHECK(j["ApiVersion"] == "1.41");
  CHECK(j["MinAPIVersion"] == "1.24");
  CHECK(j["Os"] == "linux");
  CHECK(j["Components"][0]["Name"] == "Engine");
}

TEST_CASE("daemon: SIGTERM stops berthd and removes its socket and pid file") {
  test::DaemonFixture d;
  std::string sock = d.socket();
  REQUIRE(engine::base::path_exists(sock));
  d.stop();
  CHECK_FALSE(engine::base::path_exists(sock));
  CHECK_FALSE(engine::base::path_exists(d.root() + "/berthd.pid"));
}

TEST_CASE("daemon: berth reports an unreachable explicit host with exit 125") {
  test::TempDir dir;
  auto r = run_command({bin("berth"), "-H", "unix://" + (dir / "none.sock"), "version"}, {"BERTH_HOST="});
  CHECK(r.exit_code == 125);
  CHECK(r.err.find("cannot connect to berthd at unix://" + (dir / "none.sock")) != std::string::npos);
}
