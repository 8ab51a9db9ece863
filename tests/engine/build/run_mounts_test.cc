#include "engine/build/run_mounts.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "tests/support/test_util.h"

using engine::build::parse_dockerfile;
using engine::build::remove_mount_stubs;
using engine::build::run_mounts;

namespace {

engine::build::Instruction run_line(const std::string& line) {
  auto df = parse_dockerfile("FROM a\n" + line + "\n");
  REQUIRE_MESSAGE(df.ok(), df.error().message);
  return df->stages[0].instructions.at(0);
}

}  // namespace

TEST_CASE("RUN --mount=type=cache: one directory per id, relative targets from WORKDIR") {
  test::TempDir root;
  auto m = run_mounts(run_line("RUN --mount=type=cache,target=/root/.cache --mount=type=cache,dst=c,id=x,ro true"),
                      "/src", root.path() + "/cache");
  REQUIRE_MESSAGE(m, m.error().message);
  REQUIRE(m->size() == 2);
  CHECK((*m)[0].target == "/root/.cache");
  CHECK((*m)[0].options.front() == "rw");
  CHECK(std::filesystem::is_directory((*m)[0].source));
  CHECK((*m)[1].target == "/src/c");
  CHECK((*m)[1].options.front() == "ro");
  CHECK((*m)[0].source != (*m)[1].source);
  auto again = run_mounts(run_line("RUN --mount=type=cache,id=x,target=/elsewhere true"), "/", root.path() + "/cache");
  REQUIRE(again);
  CHECK(again->at(0).source == (*m)[1].source);  // same id, same directory
  CHECK(run_mounts(run_line("RUN true"), "/", root.path() + "/cache")->empty());
}

TEST_CASE("RUN --mount: unsupported types and bad options name the line") {
  test::TempDir root;
  auto err = [&](const std::string& line) {
    auto m = run_mounts(run_line(line), "/", root.path());
    REQUIRE_FALSE(m);
    return m.error().message;
  };
  CHECK(err("RUN --mount=type=secret,id=x true") ==
        "Dockerfile:2: RUN --mount: type=secret is not supported (only type=cache)");
  CHECK(err("RUN --mount=target=/x true") == "Dockerfile:2: RUN --mount: type=bind is not supported (only type=cache)");
  CHECK(err("RUN --mount=type=cache true") == "Dockerfile:2: RUN --mount: target is required");
  CHECK(err("RUN --mount=type=cache,target=/x,mode=99 true") == "Dockerfile:2: RUN --mount: invalid mode \"99\"");
  CHECK(err("RUN --mount=type=cache,target=/x,bogus=1 true") == "Dockerfile:2: RUN --mount: unsupported option \"bogus\"");
}

TEST_CASE("RUN --mount: empty mount points the step created are not part of its layer") {
  test::TempDir root;
  std::filesystem::create_directories(root.path() + "/lower/kept");
  std::filesystem::create_directories(root.path() + "/upper/kept");
  std::filesystem::create_directories(root.path() + "/upper/made");
  std::filesystem::create_directories(root.path() + "/upper/full");
  test::write_text(root.path() + "/upper/full/file", "x");
  std::vector<engine::runtime::MountSpec> mounts(3);
  mounts[0].target = "/kept";
  mounts[1].target = "/made";
  mounts[2].target = "/full";
  remove_mount_stubs(mounts, root.path() + "/upper", {root.path() + "/lower"});
  CHECK(std::filesystem::exists(root.path() + "/upper/kept"));
  CHECK_FALSE(std::filesystem::exists(root.path() + "/upper/made"));
  CHECK(std::filesystem::exists(root.path() + "/upper/full/file"));
}
