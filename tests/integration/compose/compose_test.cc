// berth compose up / ps / down end to end: a real berthd, real containers, an image
// imported from a busybox-static rootfs (offline). Every test brings its stack down,
// also on failure (StackGuard).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "tests/integration/daemon_fixture.h"

namespace fs = std::filesystem;

namespace {

/// Imports a busybox-static rootfs as berth-busybox:itest into the fixture's daemon.
void import_busybox(const test::DaemonFixture& d, const test::TempDir& dir) {
  fs::path root = fs::path(dir.path()) / "rootfs";
  fs::create_directories(root / "bin");
  fs::create_directories(root / "tmp");
  fs::create_directories(root / "data");
  fs::copy_file("/bin/busybox", root / "bin/busybox");
  for (const char* a : {"sh", "sleep", "true", "false", "test", "echo", "cat", "httpd", "wget", "touch", "ls"})
    fs::create_symlink("busybox", root / "bin" / a);
  std::string tar = dir / "rootfs.tar";
  auto r = test::run_command({"tar", "-C", root.string(), "-cf", tar, "."});
  REQUIRE(r.exit_code == 0);
  auto body = engine::base::read_file(tar);
  REQUIRE(body.ok());
  auto resp = d.client().request("POST", "/images/create?fromSrc=-&repo=berth-busybox&tag=itest", *body,
                                 "application/x-tar");
  REQUIRE(resp.ok());
  REQUIRE_MESSAGE(resp->ok(), resp->body);
}

/// Runs `berth compose -f <file> -p <project> ...`.
struct Stack {
  const test::DaemonFixture& d;
  std::string file, project;
  test::CommandResult run(std::vector<std::string> args, int timeout_s = 120) const {
    std::vector<std::string> argv = {"compose", "--progress", "plain", "-f", file, "-p", project};
    argv.insert(argv.end(), args.begin(), args.end());
    return d.berth(argv, timeout_s);
  }
};

/// Brings the stack down (with volumes) however the test ends.
struct StackGuard {
  const Stack& s;
  ~StackGuard() { s.run({"down", "-v", "-t", "1"}); }
};

nlohmann::json get(const test::DaemonFixture& d, const std::string& path) {
  auto r = d.client().request("GET", path);
  REQUIRE(r.ok());
  return r->json();
}

std::string project_filter(const std::string& project) {
  return cli::url_encode(nlohmann::json{{"label", {{"com.docker.compose.project=" + project, true}}}}.dump());
}

const char* kQuickstart = R"(
services:
  store:
    image: berth-busybox:itest
    command: ["sh", "-c", "touch /data/ready; exec sleep 1000"]
    volumes: ["data:/data"]
  migrate:
    image: berth-busybox:itest
    command: ["true"]
    volumes: ["data:/data"]
    depends_on: {store: {condition: service_started}}
  api:
    image: berth-busybox:itest
    command: ["sleep", "1000"]
    environment: {STORE: store}
    depends_on:
      store: {condition: service_started}
      migrate: {condition: service_completed_successfully}
  worker:
    image: berth-busybox:itest
    command: ["sleep", "1000"]
    depends_on: [api]
volumes:
  data: {}
)";

}  // namespace

TEST_CASE("compose: up --wait brings a gated stack up, a second up changes nothing, down -v leaves nothing") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / "compose.yaml", kQuickstart);
  std::string project = "q" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};

  auto up = s.run({"up", "-d", "--wait"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);

  auto ps = s.run({"ps", "-a", "--format", "json"});
  REQUIRE(ps.exit_code == 0);
  auto rows = nlohmann::json::parse(ps.out);
  std::map<std::string, std::string> states;
  for (const auto& r : rows) states[r["Name"].get<std::string>()] = r["State"].get<std::string>();
  CHECK(states == std::map<std::string, std::string>{{project + "-api-1", "running"},
                                                     {project + "-migrate-1", "exited"},
                                                     {project + "-store-1", "running"},
                                                     {project + "-worker-1", "running"}});
  auto inspect = get(d, "/containers/" + project + "-store-1/json");
  CHECK(inspect["Config"]["Labels"]["com.docker.compose.project"] == project);
  CHECK(inspect["Config"]["Labels"]["com.docker.compose.service"] == "store");
  CHECK(get(d, "/networks/" + project + "_default")["Name"] == project + "_default");
  CHECK(get(d, "/volumes/" + project + "_data")["Name"] == project + "_data");

  // Convergence: nothing changed, so nothing is created or recreated.
  auto again = s.run({"up", "-d"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("Created") == std::string::npos);
  CHECK(again.err.find("Recreate") == std::string::npos);

  auto down = s.run({"down", "-v", "-t", "1"});
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(get(d, "/containers/json?all=1&filters=" + project_filter(project)).empty());
  CHECK(d.client().request("GET", "/networks/" + project + "_default")->status == 404);
  CHECK(d.client().request("GET", "/volumes/" + project + "_data")->status == 404);
}

TEST_CASE("compose: a dependency that exits non-zero under service_completed_successfully fails up --wait naming it") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / "compose.yaml", R"(
services:
  setup: {image: berth-busybox:itest, command: ["sh", "-c", "exit 3"]}
  app:
    image: berth-busybox:itest
    command: ["sleep", "1000"]
    depends_on: {setup: {condition: service_completed_successfully}}
)");
  std::string project = "f" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};
  auto up = s.run({"up", "-d", "--wait"});
  CHECK(up.exit_code != 0);
  CHECK(up.err.find("service setup didn't complete successfully: exit 3") != std::string::npos);
  CHECK(d.client().request("GET", "/containers/" + project + "-app-1/json")->status == 404);
}

TEST_CASE("compose: logs carry service prefixes, exec and run --rm pass output and exit codes") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / "compose.yaml", R"(
services:
  app:
    image: berth-busybox:itest
    command: ["sh", "-c", "echo hello from app; exec sleep 1000"]
    environment: {GREETING: hi}
)");
  std::string project = "l" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};
  REQUIRE(s.run({"up", "-d", "--wait"}).exit_code == 0);

  test::CommandResult logs;
  for (int i = 0; i < 50 && logs.out.find("hello from app") == std::string::npos; ++i) {
    logs = s.run({"logs", "--no-color"});
    if (logs.out.find("hello from app") == std::string::npos) ::usleep(100000);
  }
  CHECK(logs.out == "app-1  | hello from app\n");
  CHECK(s.run({"logs", "--no-log-prefix"}).out == "hello from app\n");

  auto ex = s.run({"exec", "-T", "app", "sh", "-c", "echo $GREETING; exit 3"});
  CHECK(ex.out == "hi\n");
  CHECK(ex.exit_code == 3);

  auto run = s.run({"run", "--rm", "app", "echo", "one-off"});
  CHECK(run.out == "one-off\n");
  CHECK(run.exit_code == 0);
  // --rm removed the one-off container: only the service's own container is left.
  CHECK(get(d, "/containers/json?all=1&filters=" + project_filter(project)).size() == 1);
}
