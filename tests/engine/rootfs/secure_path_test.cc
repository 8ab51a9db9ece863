#include "engine/rootfs/secure_path.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "tests/support/test_util.h"

TEST_CASE("rootfs: open_in_root creates missing parents and the last component inside the root") {
  test::TempDir root;
  auto fd = engine::rootfs::open_in_root(root.path(), "/a/b/c", engine::rootfs::Create::Dir);
  REQUIRE(fd.ok());
  CHECK(std::filesystem::is_directory(root / "a/b/c"));
  auto file = engine::rootfs::open_in_root(root.path(), "/etc/hosts", engine::rootfs::Create::File);
  REQUIRE(file.ok());
  CHECK(std::filesystem::is_regular_file(root / "etc/hosts"));
  CHECK(engine::rootfs::fd_path(7) == "/proc/self/fd/7");
}

TEST_CASE("rootfs: symlinks out of the root resolve inside it") {
  test::TempDir root, outside;
  std::filesystem::create_directories(root / "etc");
  REQUIRE(::symlink((outside / "hosts").c_str(), (root / "etc/hosts").c_str()) == 0);
  REQUIRE(::symlink("../../../../..", (root / "up").c_str()) == 0);
  auto fd = engine::rootfs::open_in_root(root.path(), "/etc/hosts", engine::rootfs::Create::File);
  REQUIRE(fd.ok());
  CHECK_FALSE(engine::base::path_exists(outside / "hosts"));
  CHECK(std::filesystem::is_regular_file(root.path() + outside.path() + "/hosts"));
  auto dir = engine::rootfs::open_in_root(root.path(), "/up/x", engine::rootfs::Create::Dir);
  REQUIRE(dir.ok());
  CHECK(std::filesystem::is_directory(root / "x"));
}
