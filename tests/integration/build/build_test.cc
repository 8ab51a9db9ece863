// berth build end to end: RUN, COPY, ENV, WORKDIR, CMD; cache; failures.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "tests/integration/daemon_fixture.h"
#include "tests/support/test_util.h"

namespace {

const char* kDockerfile =
    "# a comment\n"
    "FROM busybox\n"
    "ARG WHO=world\n"
    "ENV GREETING=\"hello $WHO\"\n"
    "WORKDIR /app\n"
    "RUN echo built > /app/made.txt\n"
    "COPY data.txt .\n"
    "CMD [\"sh\", \"-c\", \"cat /app/made.txt /app/data.txt; echo $GREETING; pwd\"]\n";

}  // namespace

TEST_CASE("build: RUN COPY ENV WORKDIR CMD build and run, then a fully cached rebuild") {
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir ctx;
  test::write_text(ctx.path() + "/Dockerfile", kDockerfile);
  test::write_text(ctx.path() + "/data.txt", "copied\n");
  test::write_text(ctx.path() + "/.dockerignore", "secret*\n");
  test::write_text(ctx.path() + "/secret.txt", "no\n");
  std::string tag = test::unique_name("buildapp") + ":1";
  auto b = d.berth({"build", "-t", tag, "--build-arg", "WHO=berth", ctx.path()}, 120);
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  CHECK(b.out.find("Step 1/7 : FROM busybox\n") != std::string::npos);
  CHECK(b.out.find("Successfully built ") != std::string::npos);
  CHECK(b.out.find("Successfully tagged " + tag) != std::string::npos);

  auto r = d.berth({"run", "--rm", tag}, 60);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "built\ncopied\nhello berth\n/app\n");

  auto start = std::chrono::steady_clock::now();
  auto again = d.berth({"build", "-t", tag, "--build-arg", "WHO=berth", ctx.path()}, 120);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(again.exit_code == 0);
  size_t hits = 0;
  for (size_t p = again.out.find("Using cache"); p != std::string::npos; p = again.out.find("Using cache", p + 1)) ++hits;
  CHECK(hits == 3);  // the WORKDIR (its layer), the RUN and the COPY
  CHECK(took < std::chrono::seconds(2));
}

TEST_CASE("build: a failing RUN names its line and leaves no image / a Dockerfile on stdin builds and saves") {
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir ctx;
  test::write_text(ctx.path() + "/Dockerfile", "FROM busybox\nRUN echo ok\nRUN exit 7\n");
  std::string tag = test::unique_name("buildfail") + ":1";
  auto b = d.berth({"build", "-t", tag, ctx.path()}, 120);
  CHECK(b.exit_code != 0);
  CHECK(b.err.find("Dockerfile:3: RUN exit 7: exit code 7") != std::string::npos);
  CHECK(d.berth({"image", "inspect", tag}).exit_code != 0);
  CHECK(d.berth({"ps", "-aq"}).out.empty());

  // `build -`: a lone Dockerfile on stdin; the built image saves (its layers keep their tar).
  std::string ok = test::unique_name("buildstdin") + ":1";
  auto s = d.berth({"build", "-q", "-t", ok, "-"}, 120, "FROM busybox\nRUN echo hi > /hi\nCMD [\"cat\", \"/hi\"]\n");
  REQUIRE_MESSAGE(s.exit_code == 0, s.err);
  CHECK(d.berth({"run", "--rm", ok}, 60).out == "hi\n");
  auto saved = d.berth({"save", "-o", ctx.path() + "/img.tar", ok});
  CHECK_MESSAGE(saved.exit_code == 0, saved.err);
}

TEST_CASE("build: an image ENTRYPOINT runs with CMD, --entrypoint replaces it and --entrypoint \"\" resets it") {
  test::DaemonFixture d;
  d.import_busybox();
  std::string tag = test::unique_name("entry");
  auto b = d.berth({"build", "-t", tag, "-"}, 120, "FROM busybox\nENTRYPOINT [\"echo\", \"entry\"]\nCMD [\"cmd\"]\n");
  REQUIRE_MESSAGE(b.exit_code == 0, b.err);
  CHECK(b.out.find("Successfully tagged " + tag + ":latest\n") != std::string::npos);
  CHECK(d.berth({"run", "--rm", tag}, 60).out == "entry cmd\n");
  CHECK(d.berth({"run", "--rm", tag, "arg"}, 60).out == "entry arg\n");
  CHECK(d.berth({"run", "--rm", "--entrypoint", "echo", tag, "x"}, 60).out == "x\n");
  // "" resets the image's entrypoint and, as with any --entrypoint, its CMD.
  CHECK(d.berth({"run", "--rm", "--entrypoint", "", tag, "echo", "plain"}, 60).out == "plain\n");
  auto none = d.berth({"run", "--rm", "--entrypoint", "", tag}, 60);
  CHECK(none.exit_code != 0);
  CHECK(none.err.find("no command specified") != std::string::npos);
  CHECK(d.berth({"ps", "-aq"}).out.empty());
}

TEST_CASE("build: unknown instruction") {
  test::DaemonFixture d;
  test::TempDir ctx;
  test::write_text(ctx.path() + "/Dockerfile", "FROM busybox\nFOO bar\n");
  auto b = d.berth({"build", ctx.path()}, 60);
  CHECK(b.exit_code != 0);
  CHECK(b.err.find("Dockerfile:2: unknown instruction: FOO") != std::string::npos);
}
