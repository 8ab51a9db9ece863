// Secrets and configs: where each comes from, where it is mounted, and the files compose writes.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "compose/plan/create_body.h"
#include "compose/plan/file_refs.h"
#include "compose/plan/plan_helpers.h"
#include "engine/base/fs.h"
#include "tests/support/test_util.h"

using namespace compose::plan;

namespace {

const char* kRefs = R"(
services:
  app:
    image: busybox
    secrets:
      - plain
      - {source: token, target: api_token, mode: 0400, uid: "1000", gid: "1001"}
    configs:
      - inline
      - {source: plain_cfg, target: /etc/app.conf}
secrets:
  plain: {file: ./plain.txt}
  token: {environment: TOKEN}
configs:
  inline: {content: "port=80\n"}
  plain_cfg: {file: ./app.conf}
)";

}  // namespace

TEST_CASE("file refs: file sources are bound as they are, the rest are written under the project directory") {
  auto p = test::project(kRefs);
  auto m = file_mounts(p, p.services.at("app"), "/run/x/demo");
  REQUIRE_MESSAGE(m.ok(), m.error().str());
  REQUIRE(m->size() == 4);
  CHECK((*m)[0].host_path == "/proj/plain.txt");
  CHECK((*m)[0].target == "/run/secrets/plain");
  CHECK_FALSE((*m)[0].written);
  CHECK((*m)[1].host_path == "/run/x/demo/secrets/app/1-token");
  CHECK((*m)[1].target == "/run/secrets/api_token");
  CHECK((*m)[1].env_var == "TOKEN");
  CHECK((*m)[1].mode == 0400);
  CHECK((*m)[1].uid == 1000);
  CHECK((*m)[1].gid == 1001);
  CHECK((*m)[2].host_path == "/run/x/demo/configs/app/0-inline");
  CHECK((*m)[2].target == "/inline");
  CHECK((*m)[2].mode == 0444);
  CHECK(*(*m)[2].content == "port=80\n");
  CHECK((*m)[3].host_path == "/proj/app.conf");
  CHECK((*m)[3].target == "/etc/app.conf");

  auto spec = container_spec(p, p.services.at("app"), 1, false, "/run/x/demo");
  REQUIRE(spec.ok());
  CHECK(spec->body["HostConfig"]["Binds"] ==
        Json::array({"/proj/plain.txt:/run/secrets/plain:ro", "/run/x/demo/secrets/app/1-token:/run/secrets/api_token:ro",
                     "/run/x/demo/configs/app/0-inline:/inline:ro", "/proj/app.conf:/etc/app.conf:ro"}));
  CHECK(container_spec(p, p.services.at("app"), 1).error().message ==
        "service app: secrets token: no directory to write it to");
}

TEST_CASE("file refs: environment and content sources are written with their mode, an unset variable is an error") {
  test::TempDir dir("berth-refs");
  auto p = test::project(R"(
services:
  app:
    image: busybox
    secrets: [token]
    configs: [{source: inline, mode: 0440}]
secrets:
  token: {environment: TOKEN}
configs:
  inline: {content: "port=80\n"}
)");
  auto m = file_mounts(p, p.services.at("app"), dir.path());
  REQUIRE(m.ok());
  EnvLookup env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "TOKEN") return std::string("s3cret");
    return std::nullopt;
  };
  REQUIRE(write_file_mounts(*m, env).ok());
  CHECK(*engine::base::read_file((*m)[0].host_path) == "s3cret");
  CHECK(*engine::base::read_file((*m)[1].host_path) == "port=80\n");
  struct stat st {};
  REQUIRE(::stat((*m)[0].host_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0444);
  REQUIRE(::stat((*m)[1].host_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0440);

  auto unset = write_file_mounts(*m, [](const std::string&) { return std::nullopt; });
  REQUIRE_FALSE(unset.ok());
  CHECK(unset.error().message == "secrets token: environment variable TOKEN is not set");
}

TEST_CASE("file refs: a non-numeric uid is an error naming the secret") {
  auto p = test::project(R"(
services:
  app:
    image: busybox
    secrets: [{source: token, uid: root}]
secrets:
  token: {environment: TOKEN}
)");
  auto m = file_mounts(p, p.services.at("app"), "/d");
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().message == "service app: secrets token: uid \"root\" must be a number");
}
