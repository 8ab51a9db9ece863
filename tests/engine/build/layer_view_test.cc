#include "engine/build/layer_view.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/test_util.h"

using engine::build::glob_free_prefix;
using engine::build::LayerView;
namespace fs = std::filesystem;

TEST_CASE("layer view: upper layers win, directories merge, links are kept") {
  test::TempDir t;
  test::write_text(t / "l0/etc/passwd", "root:x:0:0::/:/bin/sh\n");
  test::write_text(t / "l0/app/a.txt", "a0\n");
  test::write_text(t / "l0/app/b.txt", "b0\n");
  test::write_text(t / "l1/app/a.txt", "a1\n");
  test::write_text(t / "l1/app/sub/c.txt", "c1\n");
  fs::create_symlink("a.txt", t / "l1/app/link");
  LayerView view({t / "l1", t / "l0"});
  CHECK(view.read_file("etc/passwd") == "root:x:0:0::/:/bin/sh\n");
  CHECK(view.read_file("etc/group").empty());
  CHECK(view.find_file("app") == std::nullopt);  // a directory, not a file
  REQUIRE(view.flatten("/app", t / "out").ok());
  CHECK(test::read_text(t / "out/app/a.txt") == "a1\n");
  CHECK(test::read_text(t / "out/app/b.txt") == "b0\n");
  CHECK(test::read_text(t / "out/app/sub/c.txt") == "c1\n");
  CHECK(fs::read_symlink(t / "out/app/link") == "a.txt");
  CHECK_FALSE(fs::exists(t / "out/etc"));
  REQUIRE(view.flatten("/missing", t / "out").ok());
  CHECK_FALSE(fs::exists(t / "out/missing"));
  CHECK_FALSE(view.flatten("../x", t / "out").ok());
}

TEST_CASE("layer view: whiteouts and opaque directories hide lower layers" * doctest::skip(!test::can_run_root())) {
  test::TempDir t;
  test::write_text(t / "l0/app/gone.txt", "x\n");
  test::write_text(t / "l0/app/kept.txt", "k\n");
  test::write_text(t / "l0/etc/passwd", "old\n");
  test::write_text(t / "l0/opq/old.txt", "o\n");
  test::write_text(t / "l1/opq/new.txt", "n\n");
  fs::create_directories(t / "l1/app");
  fs::create_directories(t / "l1/etc");
  REQUIRE(::mknod((t / "l1/app/gone.txt").c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0);
  REQUIRE(::mknod((t / "l1/etc/passwd").c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0);
  REQUIRE(::setxattr((t / "l1/opq").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
  LayerView view({t / "l1", t / "l0"});
  CHECK(view.read_file("etc/passwd").empty());
  REQUIRE(view.flatten("app", t / "out").ok());
  CHECK(fs::exists(t / "out/app/kept.txt"));
  CHECK_FALSE(fs::exists(t / "out/app/gone.txt"));
  REQUIRE(view.flatten("opq", t / "out").ok());
  CHECK(fs::exists(t / "out/opq/new.txt"));
  CHECK_FALSE(fs::exists(t / "out/opq/old.txt"));
  REQUIRE(view.flatten("app/gone.txt", t / "out2").ok());
  CHECK_FALSE(fs::exists(t / "out2/app/gone.txt"));
}

TEST_CASE("layer view: glob-free prefix of a COPY source") {
  CHECK(glob_free_prefix("/app/bin/tool") == "/app/bin/tool");
  CHECK(glob_free_prefix("/app/*.txt") == "/app");
  CHECK(glob_free_prefix("/app/d?r/x") == "/app");
  CHECK(glob_free_prefix("*.txt").empty());
}

TEST_CASE("layer view: a symlinked directory in the path never leads outside the layers") {
  test::TempDir t;
  test::write_text(t / "host/secret", "host file\n");
  std::filesystem::create_directories(t / "l0");
  std::filesystem::create_symlink(t / "host", t / "l0/etc");  // absolute: the host's, not the image's
  LayerView view({t / "l0"});
  CHECK(view.find_file("etc/secret") == std::nullopt);
  CHECK(view.read_file("etc/secret").empty());
  auto r = view.flatten("/etc/secret", t / "out");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "copy /etc/secret: symbolic links in the source path are not supported");
  CHECK_FALSE(std::filesystem::exists(t / "out/etc/secret"));
  REQUIRE(view.flatten("/etc", t / "out2").ok());  // the link itself is copied as a link
  CHECK(std::filesystem::is_symlink(t / "out2/etc"));
}

TEST_CASE("layer view: a link left by an earlier flatten does not redirect a later one") {
  test::TempDir t;
  test::write_text(t / "host/keep.txt", "k\n");
  test::write_text(t / "l0/x/y", "lower\n");  // x is a directory in the lower layer ...
  std::filesystem::create_directories(t / "l1");
  std::filesystem::create_symlink(t / "host", t / "l1/x");  // ... and a link to the host above
  LayerView view({t / "l1", t / "l0"});
  REQUIRE(view.flatten("/x", t / "out").ok());
  CHECK(std::filesystem::is_symlink(t / "out/x"));
  auto r = view.flatten("/x/y", t / "out");
  CHECK_FALSE(r.ok());
  CHECK_FALSE(std::filesystem::exists(t / "host/y"));
  CHECK(std::filesystem::exists(t / "host/keep.txt"));
}
