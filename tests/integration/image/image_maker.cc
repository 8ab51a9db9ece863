#include "tests/integration/image/image_maker.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/base/unique_fd.h"
#include "tests/engine/image/tar_builder.h"

namespace test {

using engine::image::ImageConfig;
using nlohmann::json;

std::unique_ptr<engine::image::ImageService> open_service(const std::string& root) {
  auto s = engine::image::ImageService::open(root);
  REQUIRE_MESSAGE(s, s.error().str());
  return std::move(*s);
}

engine::image::Image make_image(engine::image::ImageService& svc, const TempDir& dir, const std::string& tag,
                                const std::vector<std::pair<std::string, std::string>>& files,
                                const std::string& architecture) {
  ImageConfig cfg;
  cfg.created = "2024-05-06T07:08:09Z";
  cfg.architecture = architecture;
  cfg.config.cmd = std::vector<std::string>{"/bin/sh"};
  cfg.config.env = {"PATH=/bin"};
  TarBuilder arch;
  json layers = json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    std::string plain = TarBuilder().file(files[i].first, files[i].second).finish();
    std::string gz = TarBuilder("gzip").file(files[i].first, files[i].second).finish();
    cfg.diff_ids.push_back(engine::image::sha256_of(plain));
    cfg.history.push_back({"2024-05-06T07:08:09Z", "ADD " + files[i].first, "", "", false});
    arch.file("layer" + std::to_string(i) + ".tar.gz", gz);
    layers.push_back("layer" + std::to_string(i) + ".tar.gz");
  }
  std::string c = engine::image::image_config_to_json(cfg);
  arch.file("config.json", c);
  arch.file("manifest.json", json::array({{{"Config", "config.json"}, {"RepoTags", {tag}}, {"Layers", layers}}}).dump());
  std::string path = dir / ("image-" + std::to_string(files.size()) + ".tar");
  arch.write_to(path);
  engine::base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto loaded = svc.load(fd.get(), nullptr);
  REQUIRE_MESSAGE(loaded, loaded.error().str());
  return loaded->front();
}

}  // namespace test
