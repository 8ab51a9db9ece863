// ImageService: rmi and prune, and the garbage collection of layers and blobs they trigger.
#include <algorithm>
#include <set>

#include "engine/image/reference.h"
#include "engine/image/service.h"

namespace engine::image {

using base::Result;
using base::Status;

Result<std::vector<RemovedItem>> ImageService::delete_image(const Digest& id, uint64_t* reclaimed) {
  const ImageRecord* rec = images_.find(id);
  if (!rec) return base::not_found("no such image: " + id.str());
  std::vector<Digest> manifests = rec->manifests;
  std::vector<Digest> diff_ids;
  if (auto text = blobs_.read(id))
    if (auto cfg = parse_image_config(*text)) diff_ids = cfg->diff_ids;
  std::vector<RemovedItem> out;
  for (const std::string& t : rec->tags) out.push_back({familiarize(t), ""});
  for (const std::string& d : rec->digests) out.push_back({familiarize(d), ""});
  BERTH_TRY(images_.erase(id));
  out.push_back({"", id.str()});

  // Whatever the remaining images still reference stays.
  std::set<std::string> used_layers(pinned_.begin(), pinned_.end());
  std::set<std::string> used_blobs;
  for (const auto& [hex, other] : images_.records()) {
    used_blobs.insert(hex);
    for (const Digest& m : other.manifests) used_blobs.insert(m.hex);
    if (auto text = blobs_.read(other.id))
      if (auto cfg = parse_image_config(*text))
        for (const Digest& d : cfg->diff_ids) used_layers.insert(d.hex);
  }
  auto drop_blob = [&](const Digest& d) {
    if (used_blobs.count(d.hex)) return;
    if (auto sz = blobs_.size(d)) *reclaimed += *sz;
    (void)blobs_.remove(d);
  };
  drop_blob(id);
  for (const Digest& m : manifests) drop_blob(m);
  for (const Digest& d : diff_ids) {
    if (used_layers.count(d.hex) || !layers_.has(d)) continue;
    auto info = layers_.get(d);
    if (info) {
      *reclaimed += info->size;
      if (info->blob) drop_blob(info->blob->digest);
    }
    BERTH_TRY(layers_.remove(d));
    used_layers.insert(d.hex);
    out.push_back({"", d.str()});
  }
  return out;
}

Status ImageService::collect_orphans(uint64_t* reclaimed) {
  // Layers and blobs no image references: left by failed pulls or loads, or a crash.
  // While an operation is in flight (pins held) its blobs may not be registered yet: skip.
  if (!pinned_.empty()) return {};
  std::set<std::string> used_layers;
  std::set<std::string> used_blobs;
  for (const auto& [hex, rec] : images_.records()) {
    used_blobs.insert(hex);
    for (const Digest& m : rec.manifests) used_blobs.insert(m.hex);
    if (auto text = blobs_.read(rec.id))
      if (auto cfg = parse_image_config(*text))
        for (const Digest& d : cfg->diff_ids) used_layers.insert(d.hex);
  }
  for (const Digest& d : layers_.list()) {
    auto info = layers_.get(d);
    if (used_layers.count(d.hex)) {
      if (info && info->blob) used_blobs.insert(info->blob->digest.hex);
      continue;
    }
    if (info) *reclaimed += info->size;
    BERTH_TRY(layers_.remove(d));
  }
  for (const Digest& b : blobs_.list()) {
    if (used_blobs.count(b.hex)) continue;
    if (auto sz = blobs_.size(b)) *reclaimed += *sz;
    BERTH_TRY(blobs_.remove(b));
  }
  return {};
}

Result<std::vector<RemovedItem>> ImageService::remove(const std::string& ref, bool force, const InUseFn& in_use) {
  std::lock_guard lock(mu_);
  auto id = resolve_id(ref);
  if (!id) return id.take_error();
  const ImageRecord* rec = images_.find(*id);
  bool used = in_use && in_use(*id);
  // A name that resolves as a reference is removed by name; anything else was an ID (prefix).
  bool by_id = ref.rfind("sha256:", 0) == 0;
  if (!by_id) {
    auto parsed = parse_reference(ref);
    by_id = !parsed || !images_.lookup_ref(parsed->digest ? parsed->digested() : parsed->tagged());
  }
  std::vector<RemovedItem> out;
  if (!by_id) {
    // By name: untag; delete only when that was the last reference.
    auto parsed = parse_reference(ref);
    if (!parsed) return parsed.take_error();
    std::string full = parsed->digest ? parsed->digested() : parsed->tagged();
    size_t refs = rec->tags.size() + rec->digests.size();
    if (refs <= 1 && used && !force)
      return base::precondition("conflict: unable to remove repository reference \"" + ref +
                                "\" (must force) - image " + id->short_hex() + " is being used by a container");
    bool last_ref = refs <= 1;
    // Digest references of the same repository go with the last tag, as Docker does.
    if (last_ref || (rec->tags.size() == 1 && !parsed->digest)) {
      if (!used) {
        uint64_t reclaimed = 0;
        return delete_image(*id, &reclaimed);
      }
    }
    BERTH_TRY(images_.remove_ref(full));
    out.push_back({parsed->familiar_str(), ""});
    return out;
  }
  size_t tags = rec->tags.size();
  if (tags > 1 && !force)
    return base::precondition("conflict: unable to delete " + id->short_hex() +
                              " (must be forced) - image is referenced in multiple repositories");
  if (used) {
    if (!force)
      return base::precondition("conflict: unable to delete " + id->short_hex() +
                                " (must be forced) - image is being used by a container");
    // Forced while in use: drop the names, keep the image for its containers.
    std::vector<std::string> names = rec->tags;
    names.insert(names.end(), rec->digests.begin(), rec->digests.end());
    for (const std::string& n : names) {
      BERTH_TRY(images_.remove_ref(n));
      out.push_back({familiarize(n), ""});
    }
    return out;
  }
  uint64_t reclaimed = 0;
  return delete_image(*id, &reclaimed);
}

Result<PruneReport> ImageService::prune(bool all, const InUseFn& in_use) {
  std::lock_guard lock(mu_);
  PruneReport report;
  std::vector<Digest> victims;
  for (const auto& [hex, rec] : images_.records()) {
    if (!all && !rec.tags.empty()) continue;
    if (in_use && in_use(rec.id)) continue;
    victims.push_back(rec.id);
  }
  for (const Digest& id : victims) {
    auto items = delete_image(id, &report.space_reclaimed);
    if (!items) return items.take_error();
    report.items.insert(report.items.end(), items->begin(), items->end());
  }
  BERTH_TRY(collect_orphans(&report.space_reclaimed));
  return report;
}

}  // namespace engine::image
