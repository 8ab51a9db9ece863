#include "engine/volume/volume_store.h"

#include <doctest/doctest.h>

#include "engine/base/fs.h"
#include "tests/support/test_util.h"

using namespace engine::volume;

TEST_CASE("volume: create is idempotent by name and survives reopening") {
  test::TempDir root;
  auto s = VolumeStore::open(root.path());
  REQUIRE(s);
  auto v = (*s)->create("data", "local", {{"app", "web"}}, {});
  REQUIRE(v);
  CHECK(v->mountpoint == root / "volumes/data/_data");
  CHECK(engine::base::path_exists(v->mountpoint));
  auto again = (*s)->create("data", "local", {}, {});
  REQUIRE(again);
  CHECK(again->labels.at("app") == "web");
  auto anon = (*s)->create("", "local", {}, {});
  REQUIRE(anon);
  CHECK(anon->name.size() == 64);
  CHECK(anon->anonymous);
  s->reset();
  auto s2 = VolumeStore::open(root.path());
  REQUIRE(s2);
  auto list = (*s2)->list();
  REQUIRE(list.size() == 2);
  CHECK((*s2)->get("data")->labels.at("app") == "web");
}

TEST_CASE("volume: bad names, drivers and options are refused with the reason") {
  test::TempDir root;
  auto s = *VolumeStore::open(root.path());
  auto bad = s->create("a/b", "local", {}, {});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("includes invalid characters for a local volume name") != std::string::npos);
  auto drv = s->create("ok", "nfs-magic", {}, {});
  REQUIRE_FALSE(drv);
  CHECK(drv.error().message == "create ok: volume driver \"nfs-magic\" is not supported (only \"local\")");
  CHECK(s->list().empty());
  CHECK_FALSE(engine::base::path_exists(root / "volumes/ok"));
}

TEST_CASE("volume: bind-device volumes point at the device, removal keeps the device") {
  test::TempDir root, dev;
  test::write_text(dev / "keep.txt", "x");
  auto s = *VolumeStore::open(root.path());
  auto v = s->create("src", "", {}, {{"type", "none"}, {"o", "bind"}, {"device", dev.path()}});
  REQUIRE(v);
  CHECK(v->mountpoint == dev.path());
  REQUIRE(s->remove("src", false, {}).ok());
  CHECK(engine::base::path_exists(dev / "keep.txt"));
}

TEST_CASE("volume: in-use volumes are kept by rm and prune") {
  test::TempDir root;
  auto s = *VolumeStore::open(root.path());
  REQUIRE(s->create("used", "local", {}, {}));
  REQUIRE(s->create("free", "local", {}, {}));
  test::write_text(root / "volumes/free/_data/f", "12345");
  InUseFn in_use = [](const std::string& n) {
    return n == "used" ? std::vector<std::string>{"c1"} : std::vector<std::string>{};
  };
  auto st = s->remove("used", false, in_use);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "remove used: volume is in use - [c1]");
  auto pr = s->prune(nullptr, in_use);
  CHECK(pr.deleted == std::vector<std::string>{"free"});
  CHECK(pr.reclaimed == 5);
  CHECK(s->get("used").ok());
  auto missing = s->remove("nope", false, in_use);
  CHECK(missing.error().message == "get nope: no such volume");
}
