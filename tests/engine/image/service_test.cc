#include "engine/image/service.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/image/reference.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::image;

namespace {

struct Fixture {
  test::TempDir dir{"berth-images"};
  std::unique_ptr<ImageService> svc;
  Fixture() {
    auto s = ImageService::open(dir / "root");
    REQUIRE_MESSAGE(s, s.error().str());
    svc = std::move(*s);
  }
  Image import(const std::string& ref, const std::string& content, const std::string& compression = "none") {
    std::string path = dir / ("rootfs-" + content + ".tar");
    test::TarBuilder(compression).dir("bin").file("bin/sh", content, 0755).write_to(path);
    ImportOptions opts;
    opts.config.cmd = std::vector<std::string>{"/bin/sh"};
    auto img = svc->import_rootfs(path, ref, opts);
    REQUIRE_MESSAGE(img, img.error().str());
    return *img;
  }
};

}  // namespace

TEST_CASE("image service: import makes a one-layer image / found by name / ID and short ID") {
  Fixture f;
  Image img = f.import("base:1", "shell", "gzip");
  CHECK(img.repo_tags == std::vector<std::string>{"base:1"});
  CHECK(img.config.diff_ids.size() == 1);
  CHECK(img.config.config.cmd == std::vector<std::string>{"/bin/sh"});
  CHECK(img.config.history.at(0).comment.find("Imported from ") == 0);
  CHECK(img.size > 0);
  for (std::string q : {std::string("base:1"), std::string("docker.io/library/base:1"), img.id.str(), img.id.hex,
                        img.id.short_hex(), img.id.hex.substr(0, 5)}) {
    auto r = f.svc->resolve(q);
    REQUIRE_MESSAGE(r, q);
    CHECK(r->id == img.id);
  }
  auto missing = f.svc->resolve("base:2");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == engine::base::Code::NotFound);
  CHECK(missing.error().message == "no such image: base:2");
  auto dirs = f.svc->layer_dirs(img);
  REQUIRE(dirs);
  REQUIRE(dirs->size() == 1);
  CHECK(*engine::base::read_file(dirs->front() + "/bin/sh") == "shell");
  // State survives a reopen.
  f.svc.reset();
  auto again = ImageService::open(f.dir / "root");
  REQUIRE(again);
  CHECK((*again)->resolve("base:1")->id == img.id);
}

TEST_CASE("image service: tag / list / history") {
  Fixture f;
  Image a = f.import("a", "one");
  REQUIRE(f.svc->tag("a", "registry.local:5000/team/a:v2"));
  auto img = f.svc->resolve(a.id.str());
  REQUIRE(img);
  CHECK(img->repo_tags == std::vector<std::string>{"a:latest", "registry.local:5000/team/a:v2"});
  CHECK_FALSE(f.svc->tag("nope", "x"));
  CHECK_FALSE(f.svc->tag("a", "x@sha256:" + std::string(64, '0')));
  Image b = f.import("b", "two");
  auto all = f.svc->list();
  REQUIRE(all);
  CHECK(all->size() == 2);
  auto h = f.svc->history("b");
  REQUIRE(h);
  REQUIRE(h->size() == 1);
  CHECK(h->front().id == b.id.str());
  CHECK(h->front().tags == std::vector<std::string>{"b:latest"});
}

TEST_CASE("image service: rmi untags / deletes / refuses in-use images unless forced") {
  Fixture f;
  Image a = f.import("app:1", "app");
  REQUIRE(f.svc->tag("app:1", "app:2"));
  auto untag = f.svc->remove("app:2", false, nullptr);
  REQUIRE(untag);
  REQUIRE(untag->size() == 1);
  CHECK(untag->front().untagged == "app:2");
  REQUIRE(f.svc->tag("app:1", "app:3"));
  auto multi = f.svc->remove(a.id.short_hex(), false, nullptr);
  REQUIRE_FALSE(multi);
  CHECK(multi.error().message ==
        "conflict: unable to delete " + a.id.short_hex() + " (must be forced) - image is referenced in multiple repositories");
  REQUIRE(f.svc->remove("app:3", false, nullptr));
  auto in_use = [&](const Digest& id) { return id == a.id; };
  auto refused = f.svc->remove("app:1", false, in_use);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == engine::base::Code::FailedPrecondition);
  auto forced = f.svc->remove("app:1", true, in_use);
  REQUIRE(forced);
  CHECK(forced->front().untagged == "app:1");
  CHECK(f.svc->resolve(a.id.str()));  // kept for its container, now dangling
  auto gone = f.svc->remove(a.id.str(), false, nullptr);
  REQUIRE(gone);
  bool deleted_image = false;
  for (const RemovedItem& it : *gone) deleted_image |= it.deleted == a.id.str();
  CHECK(deleted_image);
  CHECK_FALSE(f.svc->resolve(a.id.str()));
  CHECK(f.svc->layers().list().empty());
  CHECK(f.svc->blobs().list().empty());
}

TEST_CASE("image service: shared layers stay until the last image goes / prune") {
  Fixture f;
  Image a = f.import("x:1", "same");
  Image b = f.import("x:2", "same");  // same rootfs bytes, different config (created time)
  CHECK(f.svc->layers().list().size() == 1);
  REQUIRE(f.svc->remove("x:1", false, nullptr));
  CHECK(f.svc->layers().list().size() == 1);
  auto dirs = f.svc->layer_dirs(b);
  REQUIRE(dirs);
  CHECK(std::filesystem::exists(dirs->front() + "/bin/sh"));
  Image c = f.import("", "dangling");
  CHECK(c.repo_tags.empty());
  auto pruned = f.svc->prune(false, nullptr);
  REQUIRE(pruned);
  CHECK(pruned->space_reclaimed > 0);
  CHECK_FALSE(f.svc->resolve(c.id.str()));
  CHECK(f.svc->resolve("x:2"));
  auto none = f.svc->prune(true, [&](const Digest& id) { return id == b.id; });
  REQUIRE(none);
  CHECK(none->items.empty());
  auto all = f.svc->prune(true, nullptr);
  REQUIRE(all);
  CHECK(f.svc->list()->empty());
  CHECK(f.svc->layers().list().empty());
}

TEST_CASE("image service: registering an unchanged image writes nothing / a new tag does") {
  Fixture f;
  Image img = f.import("app:1", "one");
  auto config = f.svc->blobs().read(img.id);
  REQUIRE(config);
  auto inode = [&] {
    struct stat st {};
    return ::stat((f.dir / "root/images.json").c_str(), &st) == 0 ? st.st_ino : 0;
  };
  auto before = inode();
  REQUIRE(before != 0);
  REQUIRE(f.svc->register_image(*config, {"docker.io/library/app:1"}, {}, {}));
  CHECK(inode() == before);  // images.json is replaced (new inode) only when it changes
  REQUIRE(f.svc->register_image(*config, {"docker.io/library/app:2"}, {}, {}));
  CHECK(inode() != before);
  CHECK(f.svc->resolve("app:2").ok());
}
