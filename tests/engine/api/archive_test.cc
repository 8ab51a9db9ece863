// docker cp's engine side: path resolution inside a root, the path-stat header, tar out and in.
#include "engine/container/archive.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/unique_fd.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::container;
using engine::base::UniqueFd;

namespace {

/// A fake container root: /etc/hostname, /data/a.txt, /data/sub/b.txt and hostile links.
struct Root {
  test::TempDir dir{"berth-cproot"};
  UniqueFd fd;
  Root() {
    std::filesystem::create_directories(dir / "etc");
    std::filesystem::create_directories(dir / "data/sub");
    test::write_text(dir / "etc/hostname", "box\n");
    test::write_text(dir / "data/a.txt", "alpha");
    test::write_text(dir / "data/sub/b.txt", "beta");
    std::filesystem::create_symlink("/etc", dir / "etc-link");              // absolute: stays in the root
    std::filesystem::create_symlink("../../../../../../etc", dir / "up");   // climbs: stops at the root
    std::filesystem::create_symlink("/proc/self/root/etc", dir / "magic");  // via /proc: refused or confined
    fd.reset(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
};

std::string tar_of(const Root& r, const std::string& path) {
  std::string out;
  auto st = tar_from_root(r.fd.get(), path, [&](std::string_view d) {
    out.append(d);
    return true;
  });
  REQUIRE_MESSAGE(st.ok(), st.error().str());
  return out;
}

}  // namespace

TEST_CASE("resolve_in_root keeps symlinks and dot-dot inside the root") {
  Root r;
  CHECK(resolve_in_root(r.fd.get(), "/etc-link/hostname", true).value() == "/etc/hostname");
  CHECK(resolve_in_root(r.fd.get(), "/up/hostname", true).value() == "/etc/hostname");
  CHECK(resolve_in_root(r.fd.get(), "/../../../etc/hostname", true).value() == "/etc/hostname");
  CHECK(resolve_in_root(r.fd.get(), "/etc-link", false).value() == "/etc-link");
  CHECK(resolve_in_root(r.fd.get(), "/missing/x", true).value() == "/missing/x");
}

TEST_CASE("stat_in_root reports Go file modes and link targets") {
  Root r;
  auto f = stat_in_root(r.fd.get(), "/etc/hostname");
  REQUIRE(f.ok());
  CHECK(f->name == "hostname");
  CHECK(f->size == 4);
  CHECK_FALSE(f->is_dir());
  auto d = stat_in_root(r.fd.get(), "/data");
  REQUIRE(d.ok());
  CHECK(d->is_dir());
  auto l = stat_in_root(r.fd.get(), "/etc-link");
  REQUIRE(l.ok());
  CHECK(l->is_symlink());
  CHECK(l->link_target == "/etc");
  auto missing = stat_in_root(r.fd.get(), "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == engine::base::Code::NotFound);
}

TEST_CASE("the path stat header round-trips as base64 JSON") {
  PathStat s{"hostname", 4, 0644 | kGoModeDir, 1700000000123456789, "/etc"};
  auto back = parse_path_stat_header(path_stat_header(s));
  REQUIRE(back.ok());
  CHECK(back->name == "hostname");
  CHECK(back->size == 4);
  CHECK(back->mode == (0644 | kGoModeDir));
  CHECK(back->mtime_ns == 1700000000123456789);
  CHECK(back->link_target == "/etc");
  CHECK(go_file_mode(S_IFDIR | 0755) == (kGoModeDir | 0755));
  CHECK(go_file_mode(S_IFLNK | 0777) == (kGoModeSymlink | 0777));
  CHECK_FALSE(parse_path_stat_header("not base64!").ok());
}

TEST_CASE("tar_from_root names the top entry after the path or its contents") {
  Root r;
  test::TempDir out("berth-cpout");
  UniqueFd dir(::open(out.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(extract_tar(dir.get(), tar_of(r, "/data"), false).ok());
  CHECK(engine::base::read_file(out / "data/sub/b.txt").value() == "beta");
  test::TempDir contents("berth-cpout");
  UniqueFd cdir(::open(contents.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(extract_tar(cdir.get(), tar_of(r, "/data/."), false).ok());
  CHECK(engine::base::read_file(contents / "a.txt").value() == "alpha");
  CHECK_FALSE(std::filesystem::exists(contents / "data"));
}

TEST_CASE("tar_from_root through a hostile link reads the root's file, never the host's") {
  Root r;
  test::write_text(r.dir / "etc/passwd", "container-passwd\n");
  test::TempDir out("berth-cpout");
  UniqueFd dir(::open(out.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(extract_tar(dir.get(), tar_of(r, "/up/passwd"), false).ok());
  CHECK(engine::base::read_file(out / "passwd").value() == "container-passwd\n");
  std::string magic;
  auto st = tar_from_root(r.fd.get(), "/magic/passwd", [&](std::string_view d) {
    magic.append(d);
    return true;
  });
  CHECK_FALSE(st.ok());  // magic links are not followed
}

TEST_CASE("extract_into_root refuses entries that leave the directory") {
  Root r;
  test::TempDir outside("berth-outside");
  std::string evil = test::TarBuilder().file("../../escape.txt", "x").finish();
  CHECK_FALSE(extract_into_root(r.fd.get(), "/data", evil, false, false).ok());
  std::string abs = test::TarBuilder().file(outside.path() + "/abs.txt", "x").finish();
  CHECK_FALSE(extract_into_root(r.fd.get(), "/data", abs, false, false).ok());
  CHECK_FALSE(std::filesystem::exists(outside / "abs.txt"));
  // A symlink in the archive, then a file written through it: refused.
  std::string through = test::TarBuilder().symlink("out", outside.path()).file("out/pwned", "x").finish();
  CHECK_FALSE(extract_into_root(r.fd.get(), "/data", through, false, false).ok());
  CHECK_FALSE(std::filesystem::exists(outside / "pwned"));
  // The destination path itself resolves inside the root: /up/.. lands in the root's /etc.
  std::string ok = test::TarBuilder().file("new.txt", "fresh").finish();
  REQUIRE(extract_into_root(r.fd.get(), "/up", ok, false, false).ok());
  CHECK(engine::base::read_file(r.dir / "etc/new.txt").value() == "fresh");
}

TEST_CASE("extract_into_root honours noOverwriteDirNonDir") {
  Root r;
  std::string file_over_dir = test::TarBuilder().file("sub", "x").finish();
  auto st = extract_into_root(r.fd.get(), "/data", file_over_dir, true, false);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("cannot overwrite directory") != std::string::npos);
  CHECK(std::filesystem::is_directory(r.dir / "data/sub"));
  std::string dir_over_file = test::TarBuilder().dir("a.txt").finish();
  CHECK_FALSE(extract_into_root(r.fd.get(), "/data", dir_over_file, true, false).ok());
  auto missing = extract_into_root(r.fd.get(), "/nope", file_over_dir, false, false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == engine::base::Code::NotFound);
}

TEST_CASE("rename_tar_root moves the top entry and what is below it") {
  std::string tar = test::TarBuilder().dir("data").file("data/a.txt", "alpha").file("other", "o").finish();
  auto renamed = rename_tar_root(tar, "data", "copy");
  REQUIRE(renamed.ok());
  test::TempDir out("berth-cpout");
  UniqueFd dir(::open(out.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(extract_tar(dir.get(), *renamed, false).ok());
  CHECK(engine::base::read_file(out / "copy/a.txt").value() == "alpha");
  CHECK_FALSE(std::filesystem::exists(out / "other"));
  auto contents = rename_tar_root(test::TarBuilder().file("x", "1").finish(), ".", "into");
  REQUIRE(contents.ok());
  REQUIRE(extract_tar(dir.get(), *contents, false).ok());
  CHECK(engine::base::read_file(out / "into/x").value() == "1");
}
