// berth push, pull, login and logout against Debian's docker-registry on 127.0.0.1,
// and the streamed JSON progress of POST /images/create.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "tests/integration/image/registry_fixture.h"
#include "tests/integration/imageapi/imageapi_fixture.h"

using test::lines;

TEST_CASE("imageapi: push to and pull from a local registry, with Docker's progress messages") {
  test::Registry reg;
  test::DaemonFixture d;
  test::TempDir dir;
  std::string id = test::import_busybox(d, dir, "bb:1");
  std::string remote = reg.host() + "/berth/bb:1";
  REQUIRE(d.berth({"tag", "bb:1", remote}).exit_code == 0);

  auto push = d.berth({"push", remote});
  REQUIRE_MESSAGE(push.exit_code == 0, push.err);
  auto pl = lines(push.out);
  REQUIRE(pl.size() >= 3);
  CHECK(pl[0] == "The push refers to repository [" + reg.host() + "/berth/bb]");
  CHECK(push.out.find(": Pushed\n") != std::string::npos);
  CHECK(pl.back().rfind("1: digest: sha256:", 0) == 0);

  REQUIRE(d.berth({"rmi", "bb:1", remote}).exit_code == 0);
  CHECK(d.berth({"images", "-q"}).out.empty());

  auto pull = d.berth({"pull", remote});
  REQUIRE_MESSAGE(pull.exit_code == 0, pull.err);
  auto ll = lines(pull.out);
  REQUIRE(ll.size() >= 5);
  CHECK(ll[0] == "1: Pulling from berth/bb");
  CHECK(pull.out.find(": Pulling fs layer\n") != std::string::npos);
  CHECK(pull.out.find(": Pull complete\n") != std::string::npos);
  CHECK(pull.out.find("\nDigest: sha256:") != std::string::npos);
  CHECK(pull.out.find("\nStatus: Downloaded newer image for " + remote + "\n") != std::string::npos);
  CHECK(ll.back() == remote);
  // Off a terminal no progress bars are printed.
  CHECK(pull.out.find("[=") == std::string::npos);
  CHECK(nlohmann::json::parse(d.berth({"image", "inspect", remote}).out)[0]["Id"] == id);
  auto dig = d.berth({"images", "--digests", "--format", "{{.Repository}} {{.Digest}}"});
  CHECK(dig.out.rfind(reg.host() + "/berth/bb sha256:", 0) == 0);
  // A single-arch image pulled for another platform: kept, with docker's warning; a bogus platform is refused.
  auto other = d.berth({"pull", "--platform", "linux/arm64", remote});
  CHECK(other.exit_code == 0);
  CHECK(other.out.find("\nWARNING: image with reference " + remote +
                       " was found but does not match the specified platform: wanted linux/arm64, actual: "
                       "linux/amd64\n") != std::string::npos);
  auto bogus = d.berth({"pull", "--platform", "bogus", remote});
  CHECK(bogus.exit_code == 1);
  CHECK(bogus.err == "Error response from daemon: \"bogus\": unknown operating system or architecture\n");

  // The raw API stream: one JSON message per line, layer messages with progressDetail.
  std::string body;
  auto r = d.client().stream("POST", "/images/create?fromImage=" + reg.host() + "/berth/bb&tag=1", "",
                             [&](std::string_view data) {
                               body.append(data);
                               return true;
                             });
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->headers["content-type"] == "application/json");
  auto msgs = lines(body);
  REQUIRE(msgs.size() >= 3);
  auto first = nlohmann::json::parse(msgs[0]);
  CHECK(first == nlohmann::json{{"status", "Pulling from berth/bb"}, {"id", "1"}});
  auto layer = nlohmann::json::parse(msgs[1]);
  CHECK(layer["status"] == "Already exists");
  CHECK(layer["progressDetail"] == nlohmann::json::object());
  CHECK(layer["id"].get<std::string>().size() == 12);
  CHECK(nlohmann::json::parse(msgs.back())["status"] == "Status: Image is up to date for " + remote);

  // The stock docker CLI pulls through berthd too.
  for (const char* docker : {"/usr/bin/docker", "/usr/local/bin/docker"}) {
    if (::access(docker, X_OK) != 0) continue;
    INFO(docker);
    REQUIRE(d.berth({"rmi", remote}).exit_code == 0);
    std::vector<std::string> env = {"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + (dir / "docker-config")};
    auto dp = test::run_command({docker, "pull", remote}, env, 120);
    CHECK_MESSAGE(dp.exit_code == 0, dp.err);
    CHECK(dp.out.find("Status: Downloaded newer image for " + remote) != std::string::npos);
    CHECK(nlohmann::json::parse(d.berth({"image", "inspect", remote}).out)[0]["Id"] == id);
  }

  // A missing repository is an HTTP error before any stream, as dockerd answers.
  auto missing = d.berth({"pull", reg.host() + "/berth/nosuch:1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.rfind("Error response from daemon: ", 0) == 0);
  auto local_missing = d.berth({"push", reg.host() + "/berth/nosuch:1"});
  CHECK(local_missing.exit_code == 1);
  CHECK(local_missing.err.find("An image does not exist locally with the tag") != std::string::npos);
}

TEST_CASE("imageapi: login stores 0600 credentials that push and pull send, logout removes them") {
  test::Registry reg("berth", "s3cret");
  test::DaemonFixture d;
  test::TempDir dir;
  std::vector<std::string> env = {"BERTH_CONFIG=" + (dir / "cfg")};
  std::string remote = reg.host() + "/private/bb:1";
  test::import_busybox(d, dir, remote);

  auto denied = test::berth_env(d, {"push", remote}, env);
  CHECK(denied.exit_code != 0);

  auto wrong = test::berth_env(d, {"login", "-u", "berth", "--password-stdin", reg.host()}, env, "nope\n");
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.rfind("Error response from daemon: ", 0) == 0);
  CHECK_FALSE(engine::base::path_exists(dir / "cfg/config.json"));
  auto api = d.client().request("POST", "/auth",
                                nlohmann::json{{"username", "berth"}, {"password", "nope"}, {"serveraddress", reg.host()}}.dump());
  REQUIRE(api);
  CHECK(api->status == 401);

  auto ok = test::berth_env(d, {"login", "-u", "berth", "--password-stdin", reg.host()}, env, "s3cret\n");
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(ok.out == "Login Succeeded\n");
  struct stat st {};
  REQUIRE(::stat((dir / "cfg/config.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto cfg = nlohmann::json::parse(*engine::base::read_file(dir / "cfg/config.json"));
  CHECK(cfg["auths"].contains(reg.host()));

  auto push = test::berth_env(d, {"push", remote}, env);
  REQUIRE_MESSAGE(push.exit_code == 0, (push.out + push.err));
  REQUIRE(d.berth({"rmi", remote}).exit_code == 0);
  auto pull = test::berth_env(d, {"pull", "-q", remote}, env);
  REQUIRE_MESSAGE(pull.exit_code == 0, pull.err);
  CHECK(pull.out == remote + "\n");

  auto out = test::berth_env(d, {"logout", reg.host()}, env);
  CHECK(out.out == "Removing login credentials for " + reg.host() + "\n");
  CHECK(test::berth_env(d, {"logout", reg.host()}, env).out == "Not logged in to " + reg.host() + "\n");
  REQUIRE(d.berth({"rmi", remote}).exit_code == 0);
  CHECK(test::berth_env(d, {"pull", remote}, env).exit_code != 0);
}
