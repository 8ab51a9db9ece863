// Manager::disk_usage: Docker's GET /system/df body.
#include <filesystem>
#include <set>

#include "engine/container/manager_impl.h"
#include "engine/image/inspect.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

namespace {

/// Apparent size of the regular files under dir (0 when it does not exist).
uint64_t tree_bytes(const std::string& dir) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  return total;
}

}  // namespace

uint64_t Manager::size_rw(const std::string& id) const { return tree_bytes(impl_->d.root + "/runtime/" + id + "/upper"); }

Result<json> Manager::disk_usage() const {
  const ManagerDeps& d = impl_->d;
  std::vector<Container> containers = list();
  std::map<std::string, int> image_users;      // image ID -> containers
  std::map<std::string, int> volume_users;     // volume name -> containers
  for (const Container& c : containers) {
    ++image_users[c.image_id];
    for (const MountPoint& m : c.mounts)
      if (m.type == "volume") ++volume_users[m.name];
  }
  json images = json::array();
  uint64_t layers_size = 0;
  std::map<std::string, uint64_t> image_sizes;
  if (d.images) {
    auto list = d.images->list();
    if (!list) return list.take_error();
    // A layer used by more than one image counts once in LayersSize and as SharedSize.
    std::map<std::string, int> layer_refs;
    std::map<std::string, uint64_t> layer_bytes;
    for (const image::Image& img : *list)
      for (const image::Digest& dg : std::set<image::Digest>(img.config.diff_ids.begin(), img.config.diff_ids.end())) {
        ++layer_refs[dg.str()];
        if (!layer_bytes.count(dg.str())) {
          auto info = d.images->layers().get(dg);
          layer_bytes[dg.str()] = info ? info->size : 0;
        }
      }
    for (const auto& [_, bytes] : layer_bytes) layers_size += bytes;
    for (const image::Image& img : *list) {
      json j = image::image_summary_json(img);
      uint64_t shared = 0;
      for (const image::Digest& dg : std::set<image::Digest>(img.config.diff_ids.begin(), img.config.diff_ids.end()))
        if (layer_refs[dg.str()] > 1) shared += layer_bytes[dg.str()];
      j["SharedSize"] = shared;
      auto it = image_users.find(img.id.str());
      j["Containers"] = it == image_users.end() ? 0 : it->second;
      image_sizes[img.id.str()] = img.size;
      images.push_back(std::move(j));
    }
  }
  json conts = json::array();
  for (const Container& c : containers) {
    json j = summary_json(c);
    uint64_t rw = size_rw(c.id);
    j["SizeRw"] = rw;
    j["SizeRootFs"] = rw + image_sizes[c.image_id];
    conts.push_back(std::move(j));
  }
  json vols = json::array();
  if (d.volumes) {
    for (const volume::Volume& v : d.volumes->list()) {
      json j = v.to_json();
      auto it = volume_users.find(v.name);
      j["UsageData"] = {{"Size", d.volumes->size(v.name)}, {"RefCount", it == volume_users.end() ? 0 : it->second}};
      vols.push_back(std::move(j));
    }
  }
  return json{{"LayersSize", layers_size},
              {"Images", images},
              {"Containers", conts},
              {"Volumes", vols},
              {"BuildCache", json::array()}};
}

}  // namespace engine::container
