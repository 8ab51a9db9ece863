// Interoperability with another implementation: skopeo reads what save writes, and load
// reads what skopeo writes (docker-archive and OCI archives), via a real registry.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/base/unique_fd.h"
#include "engine/image/service.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/integration/image/image_maker.h"
#include "tests/integration/image/registry_fixture.h"

using namespace engine::image;
using engine::base::UniqueFd;
using test::open_service;

namespace {

test::CommandResult skopeo(std::vector<std::string> args) {
  args.insert(args.begin(), "skopeo");
  return test::run_command(args, {}, 120);
}

}  // namespace

TEST_CASE("interop: skopeo reads saved archives / load reads skopeo's archives / plain-tar layers push and pull") {
  test::Registry reg;
  test::TempDir dir;
  auto a = open_service(dir / "a");
  // A plain (uncompressed) rootfs import: pushed with an OCI manifest.
  test::TarBuilder().dir("etc").file("etc/os-release", "ID=berth\n").write_to(dir / "rootfs.tar");
  ImportOptions io;
  io.config.cmd = std::vector<std::string>{"/bin/true"};
  auto img = a->import_rootfs(dir / "rootfs.tar", "interop:1", io);
  REQUIRE_MESSAGE(img, img.error().str());
  {
    UniqueFd out(::open((dir / "saved.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    REQUIRE(a->save({"interop:1"}, out.get()));
  }
  auto inspect = skopeo({"inspect", "--config", "docker-archive:" + (dir / "saved.tar")});
  REQUIRE_MESSAGE(inspect.exit_code == 0, inspect.err);
  auto cfg = nlohmann::json::parse(inspect.out);
  CHECK(cfg["config"]["Cmd"] == nlohmann::json({"/bin/true"}));
  auto oci = skopeo({"inspect", "--config", "oci-archive:" + (dir / "saved.tar")});
  CHECK_MESSAGE(oci.exit_code == 0, oci.err);

  std::string remote = reg.host() + "/interop/plain:1";
  REQUIRE(a->tag("interop:1", remote));
  auto pushed = a->push(remote, {}, nullptr);
  REQUIRE_MESSAGE(pushed, pushed.error().str());
  auto b = open_service(dir / "b");
  auto pulled = b->pull(remote, {}, nullptr);
  REQUIRE_MESSAGE(pulled, pulled.error().str());
  CHECK(pulled->id == img->id);

  // skopeo writes both archive kinds from the registry; load reads them.
  auto c1 = skopeo({"copy", "-q", "--src-tls-verify=false", "docker://" + remote,
                    "docker-archive:" + (dir / "skopeo-docker.tar") + ":from/skopeo:d"});
  REQUIRE_MESSAGE(c1.exit_code == 0, c1.err);
  auto c2 = skopeo({"copy", "-q", "--src-tls-verify=false", "docker://" + remote,
                    "oci-archive:" + (dir / "skopeo-oci.tar") + ":from/skopeo:o"});
  REQUIRE_MESSAGE(c2.exit_code == 0, c2.err);
  auto c = open_service(dir / "c");
  for (const char* f : {"skopeo-docker.tar", "skopeo-oci.tar"}) {
    UniqueFd in(::open((dir / f).c_str(), O_RDONLY | O_CLOEXEC));
    auto loaded = c->load(in.get(), nullptr);
    INFO(f);
    REQUIRE_MESSAGE(loaded, loaded.error().str());
    REQUIRE(loaded->size() == 1);
    CHECK(loaded->front().id == img->id);
  }
  CHECK(c->resolve("from/skopeo:d"));
}
