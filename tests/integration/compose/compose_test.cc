// berth compose up / ps / down end to end: a real berthd, real containers, an image
// imported from a busybox-static rootfs (offline). Every test brings its stack down,
// also on failure (StackGuard).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>
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
  test::CommandResult run(std::vector<std::string> args, int timeout_s = 120, const std::string& input = {}) const {
    std::vector<std::string> argv = {"compose", "--progress", "plain", "-f", file, "-p", project};
    argv.insert(argv.end(), args.begin(), args.end());
    return d.berth(argv, timeout_s, input);
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
  // Created up front (as docker compose does), never started.
  CHECK(get(d, "/containers/" + project + "-app-1/json")["State"]["Status"] == "created");
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

TEST_CASE("compose: up --build builds a Dockerfile stack and runs it, a second up and build use the cache") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / "app/Dockerfile", R"(FROM berth-busybox:itest
ARG GREETING
RUN echo "$GREETING from build" > /msg
COPY note.txt /note.txt
CMD ["sleep", "1000"]
)");
  test::write_text(dir / "app/note.txt", "a note\n");
  test::write_text(dir / "compose.yaml", R"(
services:
  app:
    build: {context: ./app, args: {GREETING: hello}}
)");
  std::string project = "b" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};
  auto up = s.run({"up", "--build", "-d", "--wait"});
  REQUIRE_MESSAGE(up.exit_code == 0, up.err);
  CHECK(up.err.find("app  | Step 1/5 : FROM berth-busybox:itest") != std::string::npos);
  CHECK(up.err.find("Image " + project + "-app  Built") != std::string::npos);
  CHECK(s.run({"exec", "-T", "app", "cat", "/msg", "/note.txt"}).out == "hello from build\na note\n");
  std::string id = get(d, "/containers/" + project + "-app-1/json")["Id"];

  // The image is there: a second up neither builds nor recreates.
  auto again = s.run({"up", "-d", "--wait"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("Building") == std::string::npos);
  CHECK(get(d, "/containers/" + project + "-app-1/json")["Id"] == id);
  // compose build runs every step from the cache.
  auto build = s.run({"build"});
  REQUIRE_MESSAGE(build.exit_code == 0, build.err);
  CHECK(build.err.find("app  |  ---> Using cache") != std::string::npos);
  CHECK(build.err.find("app  | RUN") == std::string::npos);
}

TEST_CASE("compose: secrets and configs from the environment and inline content, with mode and owner, gone after down") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / ".env", "BT_TOKEN=s3cret\nBT_PORT=8080\n");
  test::write_text(dir / "compose.yaml", R"(
services:
  app:
    image: berth-busybox:itest
    command: ["sleep", "1000"]
    secrets: [token]
    configs: [{source: conf, target: /etc/app.conf, mode: 0440, uid: "1000"}]
secrets:
  token: {environment: BT_TOKEN}
configs:
  conf: {content: "port=${BT_PORT}"}
)");
  std::string project = "s" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};
  auto up = s.run({"up", "-d", "--wait"});
  REQUIRE_MESSAGE(up.exit_code == 0, up.err);
  auto ex = s.run({"exec", "-T", "app", "sh", "-c",
                   "cat /run/secrets/token /etc/app.conf; echo; busybox stat -c '%a %u' /run/secrets/token /etc/app.conf"});
  CHECK(ex.out == "s3cretport=8080\n444 0\n440 1000\n");

  // stdin reaches an exec'd command; exec -d returns at once and the command runs.
  CHECK(s.run({"exec", "-T", "app", "cat"}, 60, "hi\n").out == "hi\n");
  REQUIRE(s.run({"exec", "-d", "app", "touch", "/tmp/flag"}).exit_code == 0);
  bool flagged = false;
  for (int i = 0; i < 50 && !flagged; ++i) {
    flagged = s.run({"exec", "-T", "app", "test", "-f", "/tmp/flag"}).exit_code == 0;
    if (!flagged) ::usleep(50000);
  }
  CHECK(flagged);

  REQUIRE(s.run({"down", "-t", "1"}).exit_code == 0);
  CHECK_FALSE(fs::exists("/run/berth-compose/" + project));
}

TEST_CASE("compose: events --json streams the project's container events in compose's shape") {
  test::DaemonFixture d;
  test::TempDir dir("berth-compose");
  import_busybox(d, dir);
  test::write_text(dir / "compose.yaml", R"(
services:
  app: {image: berth-busybox:itest, command: ["sleep", "1000"]}
)");
  std::string project = "e" + std::to_string(::getpid());
  Stack s{d, dir / "compose.yaml", project};
  StackGuard guard{s};
  REQUIRE(s.run({"up", "-d", "--wait"}).exit_code == 0);
  test::CommandResult events;
  std::thread follower([&] { events = s.run({"events", "--json"}, 3); });
  ::usleep(500000);  // the follower subscribes
  CHECK(s.run({"kill", "app"}).exit_code == 0);
  s.run({"wait", "app"});  // exits with the container's status once it has stopped
  CHECK(s.run({"start", "app"}).exit_code == 0);
  follower.join();
  std::vector<std::string> actions;
  size_t pos = 0, nl;
  while ((nl = events.out.find('\n', pos)) != std::string::npos) {
    auto j = nlohmann::json::parse(events.out.substr(pos, nl - pos));
    pos = nl + 1;
    CHECK(j["type"] == "container");
    CHECK(j["service"] == "app");
    CHECK(j["attributes"]["name"] == project + "-app-1");
    CHECK(j["id"].get<std::string>().size() == 64);
    actions.push_back(j["action"]);
  }
  CHECK(std::find(actions.begin(), actions.end(), "kill") != actions.end());
  CHECK(std::find(actions.begin(), actions.end(), "die") != actions.end());
  CHECK(std::find(actions.begin(), actions.end(), "start") != actions.end());
}
