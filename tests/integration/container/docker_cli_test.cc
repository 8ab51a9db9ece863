// The stock docker CLI drives berthd (Docker Engine API compatibility).
#include <doctest/doctest.h>
#include <unistd.h>

#include "engine/base/strings.h"
#include "tests/integration/daemon_fixture.h"

namespace {

std::vector<std::string> docker_clients() {
  std::vector<std::string> out;
  for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"})
    if (::access(p, X_OK) == 0) out.push_back(p);
  return out;
}

}  // namespace

TEST_CASE("docker cli: run, ps, logs, exec, images, network ls and volume ls against berthd") {
  auto clients = docker_clients();
  REQUIRE_MESSAGE(!clients.empty(), "no docker CLI installed (scripts/setup installs docker.io's client)");
  test::DaemonFixture d;
  d.import_busybox();
  std::vector<std::string> env = {"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + d.root() + "/docker-config"};
  for (const auto& docker : clients) {
    INFO(docker);
    auto run = test::run_command({docker, "run", "--rm", "busybox", "echo", "hi"}, env, 60);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "hi\n");
    // A container that cannot start: the error and 127, and --rm removes it (the client waits for that).
    auto bad = test::run_command({docker, "run", "--rm", "busybox", "no-such-cmd"}, env, 30);
    CHECK(bad.exit_code == 127);
    CHECK(bad.err.find("no-such-cmd") != std::string::npos);
    CHECK(d.berth({"ps", "-aq"}).out.empty());
    auto bg = test::run_command({docker, "run", "-d", "--name", "dk", "busybox", "sh", "-c", "echo logged; sleep 300"}, env);
    REQUIRE(bg.exit_code == 0);
    auto ps = test::run_command({docker, "ps", "-a"}, env);
    CHECK(ps.out.find("dk") != std::string::npos);
    auto logs = test::run_command({docker, "logs", "dk"}, env);
    CHECK(logs.out == "logged\n");
    auto ex = test::run_command({docker, "exec", "dk", "sh", "-c", "exit 5"}, env);
    CHECK(ex.exit_code == 5);
    // exec -it needs a terminal: script(1) gives the client a pty; the container side must get one too.
    std::string it_cmd = docker + " exec -it dk sh -c 'tty; echo in-tty; exit 3'";
    auto it = test::run_command({"script", "-qec", it_cmd, "/dev/null"}, env, 60);
    INFO(it.out);
    CHECK(it.exit_code == 3);
    CHECK(it.out.find("/dev/pts/") != std::string::npos);
    CHECK(it.out.find("in-tty") != std::string::npos);
    // logs -f follows live output and returns when the container exits.
    auto fl = test::run_command({docker, "run", "-d", "--name", "dkf", "busybox", "sh", "-c",
                                 "echo one; sleep 1; echo two"}, env);
    REQUIRE(fl.exit_code == 0);
    auto follow = test::run_command({docker, "logs", "-f", "dkf"}, env, 60);
    CHECK(follow.exit_code == 0);
    CHECK(follow.out == "one\ntwo\n");
    CHECK(test::run_command({docker, "rm", "dkf"}, env).exit_code == 0);
    auto images = test::run_command({docker, "images"}, env);
    CHECK(images.out.find("busybox") != std::string::npos);
    auto nets = test::run_command({docker, "network", "ls"}, env);
    CHECK(nets.out.find("bridge") != std::string::npos);
    auto vols = test::run_command({docker, "volume", "ls"}, env);
    CHECK(vols.exit_code == 0);
    auto rm = test::run_command({docker, "rm", "-f", "dk"}, env);
    CHECK(rm.exit_code == 0);
  }
}

TEST_CASE("docker-compose v1: a two-service stack with a named volume comes up and goes down") {
  REQUIRE_MESSAGE(::access("/usr/bin/docker-compose", X_OK) == 0, "docker-compose not installed (scripts/setup installs it)");
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir dir("berth-dc");
  test::write_text(dir / "docker-compose.yml", R"(version: "3.7"
services:
  db:
    image: busybox
    command: sh -c "echo db-up; exec sleep 300"
    volumes:
      - data:/data
  web:
    image: busybox
    command: sh -c "echo web-up; exec httpd -f -p 80 -h /tmp"
    depends_on: [db]
volumes:
  data:
)");
  std::vector<std::string> env = {"DOCKER_HOST=" + d.host(), "COMPOSE_PROJECT_NAME=dcstack"};
  auto up = test::run_command({"/usr/bin/docker-compose", "-f", dir / "docker-compose.yml", "up", "-d"}, env, 120);
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  auto ps = d.berth({"ps", "--format", "{{.Names}} {{.State}}"});
  CHECK(ps.out.find("dcstack_db_1 running") != std::string::npos);
  CHECK(ps.out.find("dcstack_web_1 running") != std::string::npos);
  CHECK(d.berth({"volume", "ls", "-q"}).out == "dcstack_data\n");
  auto down = test::run_command({"/usr/bin/docker-compose", "-f", dir / "docker-compose.yml", "down", "-v", "-t", "1"}, env, 120);
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(d.berth({"ps", "-aq"}).out.empty());
  CHECK(d.berth({"volume", "ls", "-q"}).out.empty());
  CHECK(d.berth({"network", "ls", "-q", "--filter", "name=dcstack"}).out.empty());
}
