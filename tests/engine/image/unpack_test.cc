#include "engine/image/unpack.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/unique_fd.h"
#include "engine/image/layer_store.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::image;
using engine::base::Result;
using engine::base::UniqueFd;

namespace {

Result<UnpackResult> unpack_bytes(const std::string& tar, const std::string& dest) {
  test::TempDir tmp("berth-tar");
  test::write_text(tmp / "layer.tar", tar);
  UniqueFd fd(::open((tmp / "layer.tar").c_str(), O_RDONLY | O_CLOEXEC));
  std::filesystem::create_directories(dest);
  return unpack_layer(fd.get(), dest);
}

size_t count_entries(const std::string& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++n;
  return n;
}

// Runs a hostile archive and checks it is refused with `message` and nothing leaked outside.
void expect_refused(const std::string& tar, const std::string& message, const test::TempDir& outside) {
  test::TempDir dest("berth-layer");
  size_t before = count_entries(outside.path());
  auto r = unpack_bytes(tar, dest / "diff");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == message);
  CHECK(count_entries(outside.path()) == before);
}

}  // namespace

TEST_CASE("unpack: a plain layer is written with contents / modes / links and digests") {
  test::TempDir dest;
  std::string tar = test::TarBuilder()
                        .dir("./etc/", 0755)
                        .file("./etc/hosts", "127.0.0.1 localhost\n", 0644)
                        .file("bin/tool", "#!/bin/sh\n", 0755)
                        .symlink("bin/alias", "tool")
                        .hardlink("bin/tool2", "bin/tool")
                        .file("deep/implicit/parent/file", "x")
                        .fifo("run/pipe")
                        .dir("ro", 0555)
                        .file("ro/inside", "y")
                        .finish();
  auto r = unpack_bytes(tar, dest / "diff");
  REQUIRE_MESSAGE(r, r.error().str());
  CHECK(r->diff_id == sha256_of(tar));
  CHECK(r->compressed_digest == sha256_of(tar));
  CHECK(r->compression == "none");
  CHECK(r->size == tar.size());
  CHECK(*engine::base::read_file(dest / "diff/etc/hosts") == "127.0.0.1 localhost\n");
  struct stat st {};
  REQUIRE(::stat((dest / "diff/bin/tool").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(st.st_nlink == 2);
  CHECK(st.st_mtime == 1700000000);
  CHECK(std::filesystem::read_symlink(dest / "diff/bin/alias") == "tool");
  CHECK(std::filesystem::is_fifo(dest / "diff/run/pipe"));
  CHECK(*engine::base::read_file(dest / "diff/deep/implicit/parent/file") == "x");
  REQUIRE(::stat((dest / "diff/ro").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0555);
  ::chmod((dest / "diff/ro").c_str(), 0755);
}

TEST_CASE("unpack: gzip and zstd layers give the same diff ID as the plain tar") {
  auto build = [](const std::string& c) {
    return test::TarBuilder(c).file("a", "alpha").dir("d").file("d/b", std::string(100000, 'b')).finish();
  };
  std::string plain = build("none");
  for (const char* c : {"gzip", "zstd"}) {
    test::TempDir dest;
    std::string packed = build(c);
    auto r = unpack_bytes(packed, dest / "diff");
    REQUIRE_MESSAGE(r, r.error().str());
    CHECK(r->compression == c);
    CHECK(r->diff_id == sha256_of(plain));
    CHECK(r->compressed_digest == sha256_of(packed));
    CHECK(*engine::base::read_file(dest / "diff/d/b") == std::string(100000, 'b'));
  }
}

TEST_CASE("unpack: absolute paths and .. are refused") {
  test::TempDir outside("berth-outside");
  expect_refused(test::TarBuilder().file("ok", "1").file(outside / "abs", "x").finish(),
                 "entry \"" + outside.path() + "/abs\": absolute path", outside);
  expect_refused(test::TarBuilder().file("../../../../../../" + outside.path() + "/up", "x").finish(),
                 "entry \"../../../../../../" + outside.path() + "/up\": path contains \"..\"", outside);
  expect_refused(test::TarBuilder().file("a/../../x", "x").finish(), "entry \"a/../../x\": path contains \"..\"",
                 outside);
}

TEST_CASE("unpack: writes through a symlink that leaves the layer are refused") {
  test::TempDir outside("berth-outside");
  expect_refused(test::TarBuilder().symlink("evil", outside.path()).file("evil/pwned", "x").finish(),
                 "entry \"evil/pwned\": \"evil\" resolves outside the layer", outside);
  expect_refused(test::TarBuilder().symlink("rel", "../../../../../../../../" + outside.path()).file("rel/p", "x").finish(),
                 "entry \"rel/p\": \"rel\" resolves outside the layer", outside);
  expect_refused(test::TarBuilder()
                     .symlink("a", "b")
                     .symlink("b", outside.path())
                     .file("a/sub/p", "x")
                     .finish(),
                 "entry \"a/sub/p\": \"a/sub\" resolves outside the layer", outside);
}

TEST_CASE("unpack: a symlink inside the layer may be written through / a file replaces a symlink") {
  test::TempDir outside("berth-outside");
  test::write_text(outside / "target", "original");
  test::TempDir dest;
  std::string tar = test::TarBuilder()
                        .dir("real")
                        .symlink("alias", "real")
                        .file("alias/f", "via alias")
                        .symlink("over", outside / "target")
                        .file("over", "replaced")
                        .finish();
  auto r = unpack_bytes(tar, dest / "diff");
  REQUIRE_MESSAGE(r, r.error().str());
  CHECK(*engine::base::read_file(dest / "diff/real/f") == "via alias");
  CHECK(*engine::base::read_file(dest / "diff/over") == "replaced");
  CHECK(*engine::base::read_file(outside / "target") == "original");
}

TEST_CASE("unpack: hard links to outside the layer are refused") {
  test::TempDir outside("berth-outside");
  test::write_text(outside / "secret", "s");
  expect_refused(test::TarBuilder().hardlink("h", outside / "secret").finish(),
                 "entry \"h\": hard link target \"" + outside.path() + "/secret\" is outside the layer", outside);
  expect_refused(test::TarBuilder().hardlink("h", "../../../../../../../" + outside.path() + "/secret").finish(),
                 "entry \"h\": hard link target \"../../../../../../../" + outside.path() +
                     "/secret\" is outside the layer",
                 outside);
  expect_refused(test::TarBuilder().symlink("s", outside.path()).hardlink("h", "s/secret").finish(),
                 "entry \"h\": hard link target \"s/secret\": \"s\" resolves outside the layer", outside);
  struct stat st {};
  REQUIRE(::stat((outside / "secret").c_str(), &st) == 0);
  CHECK(st.st_nlink == 1);
}

TEST_CASE("unpack: device nodes / over-long names and garbage are refused") {
  test::TempDir outside("berth-outside");
  expect_refused(test::TarBuilder().device("dev/mem", false, 1, 1).finish(),
                 "entry \"dev/mem\": device nodes are not allowed in a layer", outside);
  expect_refused(test::TarBuilder().device("dev/sda", true, 8, 0).finish(),
                 "entry \"dev/sda\": device nodes are not allowed in a layer", outside);
  std::string long_path;
  while (long_path.size() < 5000) long_path += "abcdefghij/";
  long_path += "f";
  expect_refused(test::TarBuilder().file(long_path, "x").finish(),
                 "entry \"" + long_path + "\": path is too long (" + std::to_string(long_path.size()) + " bytes)",
                 outside);
  expect_refused(test::TarBuilder().file(std::string(300, 'n'), "x").finish(),
                 "entry \"" + std::string(300, 'n') + "\": path component is too long", outside);
  test::TempDir dest;
  auto r = unpack_bytes(std::string(3000, 'z'), dest / "diff");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("read layer: ") == 0);
}

TEST_CASE("unpack: OCI whiteouts become overlay whiteouts" * doctest::skip(!test::can_run_root())) {
  test::TempDir dest;
  std::string tar = test::TarBuilder()
                        .dir("etc")
                        .file("etc/.wh.passwd", "")
                        .dir("opaque")
                        .file("opaque/.wh..wh..opq", "")
                        .file("opaque/kept", "k")
                        .finish();
  auto r = unpack_bytes(tar, dest / "diff");
  REQUIRE_MESSAGE(r, r.error().str());
  struct stat st {};
  REQUIRE(::lstat((dest / "diff/etc/passwd").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(0, 0));
  CHECK_FALSE(std::filesystem::exists(dest / "diff/etc/.wh.passwd"));
  char value[8] = {};
  CHECK(::getxattr((dest / "diff/opaque").c_str(), "trusted.overlay.opaque", value, sizeof(value)) == 1);
  CHECK(value[0] == 'y');
  CHECK_FALSE(std::filesystem::exists(dest / "diff/opaque/.wh..wh..opq"));
  CHECK(std::filesystem::exists(dest / "diff/opaque/kept"));
}

TEST_CASE("layer store: diff ID verified / nothing half-written visible / layers shared") {
  test::TempDir root;
  auto store = LayerStore::open(root.path());
  REQUIRE(store);
  std::string tar = test::TarBuilder("gzip").file("f", "content").finish();
  test::write_text(root / "l.tgz", tar);
  {
    UniqueFd fd(::open((root / "l.tgz").c_str(), O_RDONLY | O_CLOEXEC));
    auto bad = store->create(fd.get(), sha256_of("other"), std::nullopt);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("layer diff ID mismatch: expected sha256:") == 0);
  }
  CHECK(store->list().empty());
  CHECK(count_entries(root / "layers/tmp") == 0);
  UniqueFd fd(::open((root / "l.tgz").c_str(), O_RDONLY | O_CLOEXEC));
  auto ok = store->create(fd.get(), std::nullopt, LayerBlob{sha256_of(tar), "", tar.size()});
  REQUIRE_MESSAGE(ok, ok.error().str());
  CHECK(ok->blob->media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip");
  CHECK(*engine::base::read_file(store->diff_dir(ok->diff_id) + "/f") == "content");
  UniqueFd fd2(::open((root / "l.tgz").c_str(), O_RDONLY | O_CLOEXEC));
  auto again = store->create(fd2.get(), ok->diff_id, std::nullopt);
  REQUIRE(again);
  CHECK(store->list().size() == 1);
  CHECK(count_entries(root / "layers/tmp") == 0);
  REQUIRE(store->remove(ok->diff_id));
  CHECK_FALSE(store->has(ok->diff_id));
}
