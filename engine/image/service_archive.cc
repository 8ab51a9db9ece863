// ImageService: load (docker-archive / OCI layout tarballs) and save (docker-archive + OCI layout).
#include <fcntl.h>

#include <algorithm>

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/image/archive.h"
#include "engine/image/reference.h"
#include "engine/image/service.h"

namespace engine::image {

using base::Result;
using base::Status;

Result<std::vector<Image>> ImageService::load(int fd, const ProgressFn& progress) {
  std::string tmp = blobs_.tmp_dir() + "/load-" + base::random_hex(16);
  BERTH_TRY(base::make_dirs(tmp, 0700));
  base::ScopeExit cleanup([&] { (void)base::remove_all(tmp); });
  // The archive is unpacked with the same confinement as a layer (no escapes, no devices).
  UnpackOptions ex;
  ex.convert_whiteouts = false;
  ex.chown = false;
  auto unpacked = unpack_layer(fd, tmp, ex);
  if (!unpacked) return unpacked.take_error().wrap("load");
  auto entries = read_archive_index(tmp);
  if (!entries) return entries.take_error().wrap("load");
  std::vector<Image> out;
  for (const ArchiveImage& e : *entries) {
    auto config_text = read_archive_file(tmp, e.config_path);
    if (!config_text) return config_text.take_error().wrap("load");
    auto cfg = parse_image_config(*config_text);
    if (!cfg) return cfg.take_error().wrap("load " + e.config_path);
    if (cfg->diff_ids.size() != e.layer_paths.size())
      return base::invalid("load: image " + e.config_path + " has " + std::to_string(e.layer_paths.size()) +
                           " layers but its config lists " + std::to_string(cfg->diff_ids.size()));
    LayerPin pin(*this, cfg->diff_ids);
    for (size_t i = 0; i < e.layer_paths.size(); ++i) {
      const Digest& diff_id = cfg->diff_ids[i];
      if (progress) progress({diff_id.short_hex(), "Loading layer", 0, 0});
      if (auto have = layers_.get(diff_id); have && have->blob && blobs_.has(have->blob->digest)) continue;
      auto in = open_archive_file(tmp, e.layer_paths[i]);
      if (!in) return in.take_error().wrap("load");
      uint64_t size = 0;
      auto blob = blobs_.put_fd(in->get(), &size);
      if (!blob) return blob.take_error().wrap("load");
      auto bfd = blobs_.open_blob(*blob);
      if (!bfd) return bfd.take_error();
      auto layer = layers_.create(bfd->get(), diff_id, LayerBlob{*blob, "", size});
      if (!layer) return layer.take_error().wrap("load " + e.layer_paths[i]);
      if (progress) progress({diff_id.short_hex(), "Loading layer", size, size});
    }
    auto img = register_image(*config_text, e.tags, {}, {});
    if (!img) return img.take_error().wrap("load");
    // What was loaded is the archive's names, not every tag the image already had (as Docker reports).
    img->repo_tags.clear();
    for (const std::string& t : e.tags) img->repo_tags.push_back(familiarize(t));
    out.push_back(std::move(*img));
  }
  return out;
}

Status ImageService::save(const std::vector<std::string>& refs, int out_fd) {
  std::lock_guard lock(mu_);
  std::vector<SaveImage> images;
  for (const std::string& ref : refs) {
    auto id = resolve_id(ref);
    if (!id) return id.take_error().wrap("save");
    std::string tag;
    if (auto r = parse_reference(ref); r && !r->digest && images_.lookup_ref(r->tagged()) == *id) tag = r->tagged();
    SaveImage* slot = nullptr;
    for (SaveImage& s : images)
      if (s.config == *id) slot = &s;
    if (!slot) {
      auto text = blobs_.read(*id);
      if (!text) return text.take_error().wrap("save");
      auto cfg = parse_image_config(*text);
      if (!cfg) return cfg.take_error().wrap("save");
      SaveImage s{*id, {}, {}};
      for (const Digest& d : cfg->diff_ids) {
        auto info = layers_.get(d);
        if (!info) return info.take_error().wrap("save");
        if (!info->blob) return base::precondition("save: layer " + d.str() + " has no stored tar");
        s.layers.push_back(*info->blob);
      }
      images.push_back(std::move(s));
      slot = &images.back();
    }
    // The same name given twice ("app" and "app:latest") is written once.
    if (!tag.empty() && std::find(slot->tags.begin(), slot->tags.end(), tag) == slot->tags.end())
      slot->tags.push_back(tag);
  }
  return write_archive(out_fd, images, blobs_);
}

}  // namespace engine::image
