// Manifest lists: two single-platform images pushed to a docker-registry, an index PUT
// through the registry API, then pulls that pick the platform (default linux/amd64).
#include <doctest/doctest.h>

#include "engine/base/fs.h"
#include "engine/image/manifest.h"
#include "engine/image/registry/client.h"
#include "tests/integration/image/image_maker.h"
#include "tests/integration/image/registry_fixture.h"

using namespace engine::image;

TEST_CASE("registry: a manifest list / OCI index is resolved by platform on pull") {
  test::Registry reg;
  test::TempDir dir;
  auto a = test::open_service(dir / "a");
  Image amd = test::make_image(*a, dir, "multi:amd64", {{"arch.txt", "amd64"}}, "amd64");
  Image arm = test::make_image(*a, dir, "multi:arm64", {{"arch.txt", "arm64"}}, "arm64");
  REQUIRE(amd.id != arm.id);
  registry::RegistryClient client(reg.host(), "test/multi", std::nullopt, true, true);
  Index index{std::string(media::kOciIndex), {}};
  for (const auto& [tag, arch] : {std::pair<std::string, std::string>{"amd64", "linux/amd64"}, {"arm64", "linux/arm64/v8"}}) {
    std::string remote = reg.host() + "/test/multi:" + tag;
    REQUIRE(a->tag("multi:" + tag, remote));
    auto pushed = a->push(remote, {}, nullptr);
    REQUIRE_MESSAGE(pushed, pushed.error().str());
    auto m = client.get_manifest(tag);
    REQUIRE_MESSAGE(m, m.error().str());
    auto platform = parse_platform(arch);
    REQUIRE(platform);
    index.manifests.push_back(Descriptor{m->media_type, m->digest, m->body.size(), *platform, {}});
  }
  std::string body = index_to_json(index);
  auto put = client.put_manifest("multi", body, std::string(media::kOciIndex));
  REQUIRE_MESSAGE(put, put.error().str());
  CHECK(*put == sha256_of(body));

  const std::string ref = reg.host() + "/test/multi:multi";
  auto b = test::open_service(dir / "b");
  auto by_default = b->pull(ref, {}, nullptr);
  REQUIRE_MESSAGE(by_default, by_default.error().str());
  CHECK(by_default->id == amd.id);
  CHECK(by_default->config.architecture == "amd64");
  auto amd_dirs = b->layer_dirs(*by_default);
  REQUIRE(amd_dirs);
  CHECK(*engine::base::read_file(amd_dirs->front() + "/arch.txt") == "amd64");
  REQUIRE(by_default->repo_digests.size() == 1);
  CHECK(by_default->repo_digests[0] == reg.host() + "/test/multi@" + put->str());

  auto c = test::open_service(dir / "c");
  PullOptions arm_opts;
  arm_opts.platform = "linux/arm64";
  auto for_arm = c->pull(ref, arm_opts, nullptr);
  REQUIRE_MESSAGE(for_arm, for_arm.error().str());
  CHECK(for_arm->id == arm.id);
  CHECK(for_arm->config.architecture == "arm64");
  auto arm_dirs = c->layer_dirs(*for_arm);
  REQUIRE(arm_dirs);
  CHECK(*engine::base::read_file(arm_dirs->front() + "/arch.txt") == "arm64");

  PullOptions s390x;
  s390x.platform = "linux/s390x";
  auto none = c->pull(ref, s390x, nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("linux/s390x") != std::string::npos);
}
