#include "engine/build/add_source.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::build;
namespace fs = std::filesystem;

TEST_CASE("add: tar archives are recognised whatever their compression") {
  test::TempDir t;
  test::TarBuilder().file("a.txt", "a").write_to(t / "plain.tar");
  test::TarBuilder("gzip").file("a.txt", "a").write_to(t / "x.tgz");
  test::TarBuilder("zstd").file("a.txt", "a").write_to(t / "x.tar.zst");
  test::write_text(t / "text.txt", "just some text that is not an archive\n");
  test::write_text(t / "empty", "");
  CHECK(is_archive(t / "plain.tar"));
  CHECK(is_archive(t / "x.tgz"));
  CHECK(is_archive(t / "x.tar.zst"));
  CHECK_FALSE(is_archive(t / "text.txt"));
  CHECK_FALSE(is_archive(t / "empty"));
  CHECK_FALSE(is_archive(t / "missing"));
  CHECK_FALSE(is_archive(t.path()));
}

TEST_CASE("add: an archive unpacks into the destination, merging, and hostile entries are refused") {
  test::TempDir t;
  test::TarBuilder("gzip").dir("d").file("d/one.txt", "1").symlink("d/l", "one.txt").write_to(t / "a.tgz");
  test::write_text(t / "dest/keep.txt", "k");
  REQUIRE(unpack_archive(t / "a.tgz", t / "dest").ok());
  CHECK(fs::exists(t / "dest/keep.txt"));
  CHECK(fs::exists(t / "dest/d/one.txt"));
  CHECK(fs::read_symlink(t / "dest/d/l") == "one.txt");
  test::TarBuilder().file("../evil.txt", "x").write_to(t / "evil.tar");
  auto bad = unpack_archive(t / "evil.tar", t / "dest2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("evil.tar") != std::string::npos);
  CHECK_FALSE(fs::exists(t / "evil.txt"));
  CHECK(fs::is_empty(t / "dest2"));
}

TEST_CASE("add: URL file names and HTTP dates") {
  CHECK(is_url("http://127.0.0.1:8080/a"));
  CHECK(is_url("https://example.com/a"));
  CHECK_FALSE(is_url("file.txt"));
  CHECK(url_file_name("http://127.0.0.1:8080/dir/file.txt?x=1") == "file.txt");
  CHECK(url_file_name("https://h/dir/") == "dir");
  CHECK(url_file_name("https://h").empty());
  CHECK(*parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK_FALSE(parse_http_date("yesterday").ok());
}
