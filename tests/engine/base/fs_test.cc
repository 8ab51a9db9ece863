#include "engine/base/fs.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "engine/base/scope_exit.h"
#include "tests/support/test_util.h"

using namespace engine::base;

TEST_CASE("fs: atomic write replaces the file whole and leaves no temp file") {
  test::TempDir dir;
  std::string p = dir / "state.json";
  REQUIRE(write_file_atomic(p, "one", 0600).ok());
  REQUIRE(write_file_atomic(p, "two", 0600).ok());
  auto r = read_file(p);
  REQUIRE(r);
  CHECK(*r == "two");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) (void)e, ++entries;
  CHECK(entries == 1);
}

TEST_CASE("fs: errors name the operation and the path") {
  auto r = read_file("/nonexistent/berth/file");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::NotFound);
  CHECK(r.error().str() == "open /nonexistent/berth/file: No such file or directory");
}

TEST_CASE("fs: make_dirs creates parents and remove_all removes trees") {
  test::TempDir dir;
  std::string deep = dir / "a/b/c";
  REQUIRE(make_dirs(deep).ok());
  CHECK(path_exists(deep));
  REQUIRE(make_dirs(deep).ok());
  REQUIRE(remove_all(dir / "a").ok());
  CHECK_FALSE(path_exists(dir / "a"));
  CHECK(remove_all(dir / "missing").ok());
}

TEST_CASE("scope: rollback runs undo steps in reverse unless committed") {
  std::string trace;
  {
    Rollback rb;
    rb.add([&] { trace += "1"; });
    rb.add([&] { trace += "2"; });
  }
  CHECK(trace == "21");
  {
    Rollback rb;
    rb.add([&] { trace += "x"; });
    rb.commit();
  }
  CHECK(trace == "21");
}
