// Imported and layered root filesystems as a container runtime sees them (root only).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "engine/base/unique_fd.h"
#include "engine/image/service.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::image;
using engine::base::UniqueFd;
namespace fs = std::filesystem;

TEST_CASE("rootfs: import of a busybox-static rootfs tarball gives a runnable root filesystem") {
  test::TempDir dir;
  fs::create_directories(dir / "rootfs/bin");
  fs::create_directories(dir / "rootfs/etc");
  fs::copy_file("/bin/busybox", dir / "rootfs/bin/busybox");
  for (const char* applet : {"sh", "echo", "cat", "ls"}) fs::create_symlink("busybox", dir / ("rootfs/bin/" + std::string(applet)));
  test::write_text(dir / "rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto tar = test::run_command({"tar", "-C", dir / "rootfs", "-czf", dir / "rootfs.tar.gz", "."});
  REQUIRE_MESSAGE(tar.exit_code == 0, tar.err);

  auto svc = ImageService::open(dir / "root");
  REQUIRE(svc);
  ImportOptions opts;
  opts.config.cmd = std::vector<std::string>{"/bin/sh"};
  opts.config.env = {"PATH=/bin"};
  auto img = (*svc)->import_rootfs(dir / "rootfs.tar.gz", "busybox-test:1", opts);
  REQUIRE_MESSAGE(img, img.error().str());
  CHECK(img->config.config.cmd == std::vector<std::string>{"/bin/sh"});
  auto dirs = (*svc)->layer_dirs(*img);
  REQUIRE(dirs);
  REQUIRE(dirs->size() == 1);
  CHECK(fs::is_symlink(dirs->front() + "/bin/sh"));
  auto run = test::run_command({"chroot", dirs->front(), "/bin/sh", "-c", "echo hello from $(cat /etc/passwd | cut -d: -f1)"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out == "hello from root\n");
  // The same tarball imported again shares the layer.
  auto again = (*svc)->import_rootfs(dir / "rootfs.tar.gz", "busybox-test:2", opts);
  REQUIRE(again);
  CHECK((*svc)->layers().list().size() == 1);
}

TEST_CASE("rootfs: whiteouts and opaque directories hide lower files in an overlay mount") {
  test::TempDir dir;
  std::string lower = test::TarBuilder()
                          .dir("etc")
                          .file("etc/keep", "k")
                          .file("etc/gone", "g")
                          .dir("opaque")
                          .file("opaque/old", "o")
                          .finish();
  std::string upper = test::TarBuilder()
                          .dir("etc")
                          .file("etc/.wh.gone", "")
                          .dir("opaque")
                          .file("opaque/.wh..wh..opq", "")
                          .file("opaque/new", "n")
                          .finish();
  ImageConfig cfg;
  cfg.diff_ids = {sha256_of(lower), sha256_of(upper)};
  std::string c = image_config_to_json(cfg);
  test::TarBuilder()
      .file("c.json", c)
      .file("l0.tar", lower)
      .file("l1.tar", upper)
      .file("manifest.json",
            nlohmann::json::array({{{"Config", "c.json"}, {"RepoTags", {"wh:1"}}, {"Layers", {"l0.tar", "l1.tar"}}}}).dump())
      .write_to(dir / "img.tar");
  auto svc = ImageService::open(dir / "root");
  REQUIRE(svc);
  UniqueFd fd(::open((dir / "img.tar").c_str(), O_RDONLY | O_CLOEXEC));
  auto loaded = (*svc)->load(fd.get(), nullptr);
  REQUIRE_MESSAGE(loaded, loaded.error().str());
  auto dirs = (*svc)->layer_dirs(loaded->front());
  REQUIRE(dirs);
  REQUIRE(dirs->size() == 2);
  fs::create_directories(dir / "merged");
  std::string opts = "lowerdir=" + (*dirs)[0] + ":" + (*dirs)[1];
  REQUIRE_MESSAGE(::mount("overlay", (dir / "merged").c_str(), "overlay", MS_RDONLY, opts.c_str()) == 0,
                  std::strerror(errno));
  engine::base::ScopeExit unmount([&] { ::umount2((dir / "merged").c_str(), MNT_DETACH); });
  CHECK(fs::exists(dir / "merged/etc/keep"));
  CHECK_FALSE(fs::exists(dir / "merged/etc/gone"));
  CHECK_FALSE(fs::exists(dir / "merged/opaque/old"));
  CHECK(*engine::base::read_file(dir / "merged/opaque/new") == "n");
}
