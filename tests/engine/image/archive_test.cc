#include "engine/image/archive.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/unique_fd.h"
#include "engine/image/manifest.h"
#include "engine/image/service.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::image;
using engine::base::UniqueFd;
using nlohmann::json;

namespace {

std::unique_ptr<ImageService> open_service(const std::string& root) {
  auto s = ImageService::open(root);
  REQUIRE_MESSAGE(s, s.error().str());
  return std::move(*s);
}

engine::base::Result<std::vector<Image>> load_bytes(ImageService& svc, const test::TempDir& dir, const std::string& tar) {
  test::write_text(dir / "in.tar", tar);
  UniqueFd fd(::open((dir / "in.tar").c_str(), O_RDONLY | O_CLOEXEC));
  return svc.load(fd.get(), nullptr);
}

std::string config_for(const std::vector<std::string>& layer_tars) {
  ImageConfig c;
  c.created = "2024-01-01T00:00:00Z";
  c.config.cmd = std::vector<std::string>{"/bin/sh"};
  for (const std::string& t : layer_tars) c.diff_ids.push_back(sha256_of(t));
  return image_config_to_json(c);
}

}  // namespace

TEST_CASE("archive: save then load round-trips images / tags and layer contents") {
  test::TempDir dir;
  auto a = open_service(dir / "a");
  test::TarBuilder("gzip").file("etc/base", "base").write_to(dir / "rootfs.tgz");
  auto img = a->import_rootfs(dir / "rootfs.tgz", "demo:1", {});
  REQUIRE_MESSAGE(img, img.error().str());
  REQUIRE(a->tag("demo:1", "other/demo:2"));
  {
    UniqueFd out(::open((dir / "saved.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    auto st = a->save({"demo:1", "other/demo:2", "docker.io/library/demo:1"}, out.get());
    REQUIRE_MESSAGE(st, st.error().str());
  }
  auto b = open_service(dir / "b");
  UniqueFd in(::open((dir / "saved.tar").c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<std::string> events;
  auto loaded = b->load(in.get(), [&](const ProgressEvent& e) { events.push_back(e.status); });
  REQUIRE_MESSAGE(loaded, loaded.error().str());
  REQUIRE(loaded->size() == 1);
  CHECK(loaded->front().id == img->id);
  CHECK(loaded->front().repo_tags == std::vector<std::string>{"demo:1", "other/demo:2"});
  CHECK_FALSE(events.empty());
  auto dirs = b->layer_dirs(loaded->front());
  REQUIRE(dirs);
  CHECK(*engine::base::read_file(dirs->front() + "/etc/base") == "base");
  // The written archive carries both a docker manifest.json and an OCI index.
  test::TempDir x;
  UniqueFd again(::open((dir / "saved.tar").c_str(), O_RDONLY | O_CLOEXEC));
  UnpackOptions o;
  o.convert_whiteouts = false;
  REQUIRE(unpack_layer(again.get(), x.path(), o));
  json m = json::parse(*engine::base::read_file(x / "manifest.json"));
  CHECK(m[0]["RepoTags"] == json({"demo:1", "other/demo:2"}));
  CHECK(m[0]["Config"] == "blobs/sha256/" + img->id.hex);
  json idx = json::parse(*engine::base::read_file(x / "index.json"));
  CHECK(idx["manifests"].size() == 2);
  CHECK(idx["manifests"][0]["annotations"]["io.containerd.image.name"] == "docker.io/library/demo:1");
  CHECK(engine::base::path_exists(x / "oci-layout"));
  // Loading again names what the archive names, not the image's other tags.
  REQUIRE(b->tag("demo:1", "local/only:1"));
  UniqueFd third(::open((dir / "saved.tar").c_str(), O_RDONLY | O_CLOEXEC));
  auto reloaded = b->load(third.get(), nullptr);
  REQUIRE_MESSAGE(reloaded, reloaded.error().str());
  CHECK(reloaded->front().repo_tags == std::vector<std::string>{"demo:1", "other/demo:2"});
}

TEST_CASE("archive: classic docker-archive with symlinked duplicate layers loads") {
  test::TempDir dir;
  std::string l1 = test::TarBuilder().file("a", "1").finish();
  std::string cfg = config_for({l1, l1});
  std::string id = sha256_of(cfg).hex;
  std::string tar = test::TarBuilder()
                        .file(id + ".json", cfg)
                        .dir("l1")
                        .file("l1/VERSION", "1.0")
                        .file("l1/layer.tar", l1)
                        .dir("l2")
                        .symlink("l2/layer.tar", "../l1/layer.tar")
                        .file("manifest.json", json::array({{{"Config", id + ".json"},
                                                             {"RepoTags", {"classic:old"}},
                                                             {"Layers", {"l1/layer.tar", "l2/layer.tar"}}}})
                                                   .dump())
                        .file("repositories", R"({"classic":{"old":"l2"}})")
                        .finish();
  auto svc = open_service(dir / "root");
  auto loaded = load_bytes(*svc, dir, tar);
  REQUIRE_MESSAGE(loaded, loaded.error().str());
  REQUIRE(loaded->size() == 1);
  CHECK(loaded->front().id.hex == id);
  CHECK(loaded->front().repo_tags == std::vector<std::string>{"classic:old"});
}

TEST_CASE("archive: OCI layout with a nested multi-platform index loads the linux/amd64 image") {
  test::TempDir dir;
  std::string layer = test::TarBuilder("gzip").file("hello", "oci").finish();
  std::string raw = test::TarBuilder().file("hello", "oci").finish();
  std::string cfg = config_for({raw});
  Manifest m{std::string(media::kOciManifest),
             {std::string(media::kOciConfig), sha256_of(cfg), cfg.size(), {}, {}},
             {{"application/vnd.oci.image.layer.v1.tar+gzip", sha256_of(layer), layer.size(), {}, {}}}};
  std::string mtext = manifest_to_json(m);
  Index nested{std::string(media::kOciIndex),
               {{std::string(media::kOciManifest), sha256_of("arm"), 3, Platform{"linux", "arm64", "v8"}, {}},
                {std::string(media::kOciManifest), sha256_of(mtext), mtext.size(), Platform{}, {}}}};
  std::string ntext = index_to_json(nested);
  Descriptor top{std::string(media::kOciIndex), sha256_of(ntext), ntext.size(), {}, {}};
  top.annotations["org.opencontainers.image.ref.name"] = "registry.example:5000/oci/app:3";
  std::string tar = test::TarBuilder()
                        .file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})")
                        .file("index.json", index_to_json(Index{std::string(media::kOciIndex), {top}}))
                        .file("blobs/sha256/" + sha256_of(ntext).hex, ntext)
                        .file("blobs/sha256/" + sha256_of(mtext).hex, mtext)
                        .file("blobs/sha256/" + sha256_of(cfg).hex, cfg)
                        .file("blobs/sha256/" + sha256_of(layer).hex, layer)
                        .finish();
  auto svc = open_service(dir / "root");
  auto loaded = load_bytes(*svc, dir, tar);
  REQUIRE_MESSAGE(loaded, loaded.error().str());
  REQUIRE(loaded->size() == 1);
  CHECK(loaded->front().repo_tags == std::vector<std::string>{"registry.example:5000/oci/app:3"});
}

TEST_CASE("archive: hostile or inconsistent archives are refused") {
  test::TempDir dir;
  auto svc = open_service(dir / "root");
  std::string escape = test::TarBuilder()
                           .file("manifest.json", R"([{"Config":"../../../../etc/passwd","Layers":[]}])")
                           .finish();
  auto r1 = load_bytes(*svc, dir, escape);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().message == "load: archive: bad path \"../../../../etc/passwd\"");
  std::string via_link = test::TarBuilder()
                             .symlink("cfg.json", "/etc/passwd")
                             .file("manifest.json", R"([{"Config":"cfg.json","Layers":[]}])")
                             .finish();
  auto r2 = load_bytes(*svc, dir, via_link);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message == "load: archive: cfg.json resolves outside the archive");
  std::string l1 = test::TarBuilder().file("a", "1").finish();
  std::string cfg = config_for({test::TarBuilder().file("a", "other").finish()});
  std::string wrong = test::TarBuilder()
                          .file("c.json", cfg)
                          .file("l.tar", l1)
                          .file("manifest.json", R"([{"Config":"c.json","Layers":["l.tar"]}])")
                          .finish();
  auto r3 = load_bytes(*svc, dir, wrong);
  REQUIRE_FALSE(r3);
  CHECK(r3.error().message.find("load l.tar: layer diff ID mismatch") == 0);
  auto r4 = load_bytes(*svc, dir, test::TarBuilder().file("x", "y").finish());
  REQUIRE_FALSE(r4);
  CHECK(r4.error().message == "load: archive: neither manifest.json nor index.json found (not an image archive)");
  CHECK(svc->list()->empty());
}

TEST_CASE("manifest: platform selection and media types") {
  Index idx{std::string(media::kDockerList),
            {{std::string(media::kDockerManifest), sha256_of("a"), 1, Platform{"linux", "arm", "v7"}, {}},
             {std::string(media::kDockerManifest), sha256_of("b"), 1, Platform{"linux", "arm64", "v8"}, {}},
             {std::string(media::kDockerManifest), sha256_of("c"), 1, Platform{"linux", "amd64", ""}, {}}}};
  auto parsed = parse_index(index_to_json(idx));
  REQUIRE(parsed);
  CHECK(select_platform(*parsed, Platform{})->digest == sha256_of("c"));
  CHECK(select_platform(*parsed, *parse_platform("linux/arm64"))->digest == sha256_of("b"));
  CHECK(select_platform(*parsed, *parse_platform("linux/arm/v7"))->digest == sha256_of("a"));
  auto none = select_platform(*parsed, *parse_platform("linux/s390x"));
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "no matching manifest for linux/s390x in the manifest list entries");
  CHECK_FALSE(parse_platform("a/b/c/d"));
  CHECK(parse_platform("arm64")->str() == "linux/arm64");
  CHECK(parse_platform("windows")->str() == "windows/amd64");
  CHECK(parse_platform("bogus").error().message == "\"bogus\": unknown operating system or architecture");
  auto v1 = parse_manifest(R"({"schemaVersion": 1, "name": "x"})");
  REQUIRE_FALSE(v1);
  CHECK(v1.error().message == "manifest: Docker schema 1 manifests are not supported");
}
