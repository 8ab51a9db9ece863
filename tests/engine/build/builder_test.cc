#include "engine/build/builder.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using engine::build::Builder;
using engine::build::BuildOptions;
using engine::build::RunRequest;

namespace {

struct BuilderFixture {
  test::TempDir tmp;
  std::unique_ptr<engine::image::ImageService> images;
  std::vector<RunRequest> runs;
  int exit_code = 0;
  std::vector<std::string> output;

  BuilderFixture() {
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
    b.set_image_source([this](const std::string& ref, const BuildOptions&) { return images->resolve(ref); });
    output.clear();
    return b.build(tmp.path() + "/ctx", opts, [this](const std::string& s) { output.push_back(s); });
  }
};


/// The file at REL in the topmost layer of img that has it.
std::string layer_file(BuilderFixture& f, const engine::image::Image& img, const std::string& rel) {
  for (auto it = img.config.diff_ids.rbegin(); it != img.config.diff_ids.rend(); ++it) {
    std::string p = f.images->layers().diff_dir(*it) + "/" + rel;
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

}  // namespace

TEST_CASE("builder: scratch image with COPY, RUN, metadata, tags and cache") {
  BuilderFixture f;
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
  // Built layers keep their tar (save and push serve it); every step has its time (history's CREATED).
  for (const auto& d : img->config.diff_ids) {
    auto info = f.images->layers().get(d);
    REQUIRE(info.ok());
    CHECK((info->blob && f.images->blobs().has(info->blob->digest)));
  }
  CHECK_FALSE(img->config.created.empty());
  CHECK(img->config.history.back().created == img->config.created);

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
  BuilderFixture f;
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
  BuilderFixture f;
  auto img = f.build("FROM scratch\nCOPY nope.txt /\n");
  REQUIRE_FALSE(img.ok());
  CHECK(img.error().message == "Dockerfile:2: COPY failed: no source files were specified: nope.txt");
  auto base = f.build("FROM no-such-image:1\n");
  REQUIRE_FALSE(base.ok());
  CHECK(base.error().message.starts_with("Dockerfile:1: FROM no-such-image:1: "));
}

TEST_CASE("builder: multi-stage COPY --from a stage name, an index and an image, FROM an earlier stage") {
  BuilderFixture f;
  BuildOptions src_opts;
  src_opts.tags = {"test/src:1"};
  auto src = f.build("FROM scratch\nCOPY hello.txt /from-image/\n", src_opts);
  REQUIRE_MESSAGE(src.ok(), src.error().message);
  const std::string df =
      "FROM scratch AS base\nCOPY hello.txt /base/\nCOPY dir /base/dir\nENV STAGE=base\n"
      "FROM base AS second\nRUN make it\n"
      "FROM scratch\nCOPY --from=second /ran.txt /out/\nCOPY --from=0 /base/d* /out/d/\n"
      "COPY --from=test/src:1 /from-image/hello.txt /out/img.txt\n";
  BuildOptions opts;
  opts.tags = {"test/multi:1"};
  auto img = f.build(df, opts);
  REQUIRE_MESSAGE(img.ok(), img.error().message);
  REQUIRE(f.runs.size() == 1);
  CHECK(f.runs[0].lowerdirs.size() == 2);  // RUN in "second" sees the layers of "base"
  CHECK(f.runs[0].env == std::vector<std::string>{"STAGE=base"});
  CHECK(img->config.diff_ids.size() == 3);
  CHECK(img->config.config.env.empty());  // the last stage starts from scratch
  CHECK(test::read_text(layer_file(f, *img, "out/ran.txt")) == "make it");
  CHECK(test::read_text(layer_file(f, *img, "out/d/a.conf")) == "a\n");
  CHECK(test::read_text(layer_file(f, *img, "out/img.txt")) == "hi\n");
  CHECK(layer_file(f, *img, "base/hello.txt").empty());  // only what was copied
  CHECK(f.output.front() == "Step 1/10 : FROM scratch AS base\n");

  opts.target = "second";
  opts.tags = {"test/multi:second"};
  auto second = f.build(df, opts);
  REQUIRE_MESSAGE(second.ok(), second.error().message);
  CHECK(second->config.diff_ids.size() == 3);
  CHECK(second->config.config.env == std::vector<std::string>{"STAGE=base"});
  CHECK(f.runs.size() == 1);  // cached
  CHECK(f.output.front() == "Step 1/6 : FROM scratch AS base\n");
  opts.target = "nope";
  CHECK(f.build(df, opts).error().message == "failed to reach build target nope in Dockerfile");
}

TEST_CASE("builder: COPY --from an unknown image, --chown of an unknown user") {
  BuilderFixture f;
  auto img = f.build("FROM scratch\nCOPY --from=no/such:1 /x /\n");
  REQUIRE_FALSE(img.ok());
  CHECK(img.error().message.starts_with("Dockerfile:2: COPY no/such:1: "));
  test::write_text(f.tmp.path() + "/ctx/etc/passwd", "root:x:0:0::/:/bin/sh\n");
  auto chown = f.build("FROM scratch\nCOPY etc /etc\nCOPY --chown=ghost hello.txt /\n");
  REQUIRE_FALSE(chown.ok());
  CHECK(chown.error().message == "Dockerfile:3: unable to find user ghost: no matching entries in passwd file");
}

TEST_CASE("builder: COPY --chmod and ADD of a local archive") {
  BuilderFixture f;
  test::TarBuilder("gzip").dir("pkg").file("pkg/tool", "#!/bin/sh\n", 0755).write_to(f.tmp.path() + "/ctx/pkg.tgz");
  auto img = f.build("FROM scratch\nCOPY --chmod=600 hello.txt /m/\nADD pkg.tgz /opt/\nCOPY pkg.tgz /raw/\n");
  REQUIRE_MESSAGE(img.ok(), img.error().message);
  namespace fs = std::filesystem;
  auto perms = fs::status(layer_file(f, *img, "m/hello.txt")).permissions();
  CHECK(perms == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(test::read_text(layer_file(f, *img, "opt/pkg/tool")) == "#!/bin/sh\n");
  CHECK_FALSE(layer_file(f, *img, "raw/pkg.tgz").empty());  // COPY never unpacks
  auto bad = f.build("FROM scratch\nCOPY --chmod=u+x hello.txt /\n");
  CHECK(bad.error().message == "Dockerfile:2: invalid --chmod value \"u+x\": expected an octal mode");
}

TEST_CASE("builder: cached rebuild keys COPY on its sources (content and mode) and caches a WORKDIR layer") {
  BuilderFixture f;
  const std::string df = "FROM scratch\nCOPY hello.txt dir /src/\nWORKDIR /app\nRUN build\n";
  auto first = f.build(df);
  REQUIRE_MESSAGE(first.ok(), first.error().message);
  CHECK(first->config.diff_ids.size() == 3);  // COPY, the WORKDIR directory, RUN
  auto again = f.build(df);
  REQUIRE(again.ok());
  CHECK(again->id == first->id);
  CHECK(std::count(f.output.begin(), f.output.end(), " ---> Using cache\n") == 3);
  CHECK(f.runs.size() == 1);
  std::filesystem::permissions(f.tmp.path() + "/ctx/dir/a.conf", std::filesystem::perms::owner_all);
  auto mode = f.build(df);
  REQUIRE(mode.ok());
  CHECK(mode->id != first->id);
  CHECK(f.runs.size() == 2);
}

TEST_CASE("builder: a COPY destination cannot climb out of the image root") {
  BuilderFixture f;
  auto img = f.build("FROM scratch\nWORKDIR /w\nCOPY hello.txt ../../../../escaped.txt\nCOPY hello.txt /../../up/\n");
  REQUIRE_MESSAGE(img.ok(), img.error().message);
  CHECK_FALSE(std::filesystem::exists(f.tmp.path() + "/escaped.txt"));
  CHECK_FALSE(std::filesystem::exists(f.tmp.path() + "/build/escaped.txt"));
  CHECK(test::read_text(layer_file(f, *img, "escaped.txt")) == "hi\n");
  CHECK(test::read_text(layer_file(f, *img, "up/hello.txt")) == "hi\n");
}

TEST_CASE("builder: a symlink copied by one COPY source never redirects another source's files") {
  BuilderFixture f;
  namespace fs = std::filesystem;
  fs::create_directories(f.tmp.path() + "/outside");
  fs::create_directories(f.tmp.path() + "/ctx/tree/sub");
  test::write_text(f.tmp.path() + "/ctx/tree/sub/planted.txt", "x\n");
  fs::create_directories(f.tmp.path() + "/ctx/links");
  fs::create_symlink(f.tmp.path() + "/outside", f.tmp.path() + "/ctx/links/sub");
  auto img = f.build("FROM scratch\nCOPY links tree /d/\n");
  CHECK_FALSE(fs::exists(f.tmp.path() + "/outside/planted.txt"));
  if (!img.ok()) CHECK(img.error().message.find("resolves outside") != std::string::npos);
}
