#include "engine/build/builder.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_util.h"

using engine::build::Builder;
using engine::build::BuildOptions;
using engine::build::RunRequest;

namespace {

struct Fixture {
  test::TempDir tmp;
  std::unique_ptr<engine::image::ImageService> images;
  std::vector<RunRequest> runs;
  int exit_code = 0;
  std::vector<std::string> output;

  Fixture() {
    auto s = engine::image::ImageService::open(tmp.path() + "/image");
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    images = std::move(*s);
    std::filesystem::create_directories(tmp.path() + "/ctx/dir");
    test::write_text(tmp.path() + "/ctx/hello.txt", "hi\n");
    test::write_text(tmp.path() + "/ctx/dir/a.conf", "a\n");
  }
  engine::base::Result<engine::image::Image> build(const std::string& dockerfile, BuildOptions opts = {}) {
    test::write_text(tmp.path() + "/ctx/Dockerfile", dockerfile);
    Builder b(*images, tmp.path() + "/build", [this](const RunRequest& r) -> engine::base::Result<int> {
      runs.push_back(r);
      test::write_text(r.upper_dir + "/ran.txt", r.argv.back());
      return exit_code;
    });
    output.clear();
    return b.build(tmp.path() + "/ctx", opts, [this](const std::string& s) { output.push_back(s); });
  }
};

}  // namespace

TEST_CASE("builder: scratch image with COPY, RUN, metadata, tags and cache") {
  Fixture f;
  const std::string df =
      "FROM scratch\nARG GREETING=hello\nENV G=$GREETING\nWORKDIR /app\nCOPY hello.txt dir ./\n"
      "RUN echo $G > /x\nCMD [\"/app/hello.txt\"]\n";
  BuildOptions opts;
  opts.tags = {"test/app:1"};
  auto img = f.build(df, opts);
  REQUIRE_MESSAGE(img.ok(), img.error().message);
  CHECK(img->config.diff_ids.size() == 2);
  CHECK(img->config.config.env == std::vector<std::string>{"G=hello"});
  CHECK(img->config.config.working_dir == "/app");
  CHECK(*img->config.config.cmd == std::vector<std::string>{"/app/hello.txt"});
  REQUIRE(f.runs.size() == 1);
  CHECK(f.runs[0].argv == std::vector<std::string>{"/bin/sh", "-c", "echo $G > /x"});
  CHECK(f.runs[0].env == std::vector<std::string>{"G=hello", "GREETING=hello"});
  CHECK(f.runs[0].lowerdirs.size() == 1);
  CHECK(f.output.front() == "Step 1/7 : FROM scratch\n");
  std::string copied = f.images->layers().diff_dir(img->config.diff_ids[0]);
  CHECK(std::filesystem::exists(copied + "/app/hello.txt"));
  CHECK(std::filesystem::exists(copied + "/app/a.conf"));
  std::string ran = f.images->layers().diff_dir(img->config.diff_ids[1]);
  CHECK(std::filesystem::exists(ran + "/ran.txt"));
  CHECK(f.images->resolve("test/app:1").ok());

  auto again = f.build(df, opts);
  REQUIRE(again.ok());
  CHECK(again->id == img->id);
  CHECK(f.runs.size() == 1);  // RUN was cached
  CHECK(std::count(f.output.begin(), f.output.end(), " ---> Using cache\n") == 2);

  test::write_text(f.tmp.path() + "/ctx/hello.txt", "changed\n");
  auto changed = f.build(df, opts);
  REQUIRE(changed.ok());
  CHECK(changed->id != img->id);
  CHECK(f.runs.size() == 2);  // COPY content changed: later steps re-run
}

TEST_CASE("builder: failing RUN names its line and registers nothing") {
  Fixture f;
  f.exit_code = 3;
  BuildOptions opts;
  opts.tags = {"test/fail:1"};
  auto img = f.build("FROM scratch\nCOPY hello.txt /\nRUN false\n", opts);
  REQUIRE_FALSE(img.ok());
  CHECK(img.error().message == "Dockerfile:3: RUN false: exit code 3");
  CHECK_FALSE(f.images->resolve("test/fail:1").ok());
  CHECK(std::filesystem::is_empty(f.tmp.path() + "/build/tmp"));
}

TEST_CASE("builder: missing COPY source and unknown base") {
  Fixture f;
  auto img = f.build("FROM scratch\nCOPY nope.txt /\n");
  REQUIRE_FALSE(img.ok());
  CHECK(img.error().message == "Dockerfile:2: COPY failed: no source files were specified: nope.txt");
  auto base = f.build("FROM no-such-image:1\n");
  REQUIRE_FALSE(base.ok());
  CHECK(base.error().message.starts_with("Dockerfile:1: FROM no-such-image:1: "));
}
