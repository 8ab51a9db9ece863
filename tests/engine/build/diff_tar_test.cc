#include "engine/build/diff_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_util.h"

namespace {

/// Lists "name:size" (or "name->target") of every entry in the tar held by fd.
std::vector<std::string> list_tar(int fd) {
  std::vector<std::string> out;
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_fd(a, fd, 4096) == ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string s = archive_entry_pathname(e);
    if (archive_entry_symlink(e)) s += std::string("->") + archive_entry_symlink(e);
    else s += ":" + std::to_string(archive_entry_size(e));
    out.push_back(s);
  }
  archive_read_free(a);
  return out;
}

}  // namespace

TEST_CASE("diff tar: sorted entries, files, links and directories") {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/d/sub");
  test::write_text(tmp.path() + "/d/b.txt", "hello");
  test::write_text(tmp.path() + "/a.txt", "x");
  std::filesystem::create_symlink("a.txt", tmp.path() + "/link");
  int fd = ::memfd_create("difftar", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  auto r = engine::build::write_diff_tar(tmp.path(), fd);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(list_tar(fd) == std::vector<std::string>{"a.txt:1", "d/:0", "d/b.txt:5", "d/sub/:0", "link->a.txt"});
  ::close(fd);
}

TEST_CASE("diff tar: missing directory is an error") {
  int fd = ::memfd_create("difftar", MFD_CLOEXEC);
  auto r = engine::build::write_diff_tar("/nonexistent/berth-build-test", fd);
  CHECK_FALSE(r.ok());
  ::close(fd);
}

TEST_CASE("diff tar: overlay whiteouts become OCI whiteout entries") {
  if (!test::can_run_root()) return;  // mknod and trusted.* xattrs need root; checked in CI as root
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/opq");
  REQUIRE(::mknod((tmp.path() + "/gone").c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0);
  REQUIRE(::lsetxattr((tmp.path() + "/opq").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
  int fd = ::memfd_create("difftar", MFD_CLOEXEC);
  REQUIRE(engine::build::write_diff_tar(tmp.path(), fd).ok());
  CHECK(list_tar(fd) == std::vector<std::string>{".wh.gone:0", "opq/:0", "opq/.wh..wh..opq:0"});
  ::close(fd);
}
