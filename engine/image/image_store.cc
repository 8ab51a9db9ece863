#include "engine/image/image_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/strings.h"

namespace engine::image {

using base::Result;
using base::Status;
using nlohmann::json;

namespace {

/// Adds s (if absent) keeping v sorted; true when it was added.
bool add_sorted(std::vector<std::string>& v, const std::string& s) {
  bool added = std::find(v.begin(), v.end(), s) == v.end();
  if (added) v.push_back(s);
  std::sort(v.begin(), v.end());
  return added;
}

bool erase_value(std::vector<std::string>& v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

}  // namespace

Result<ImageStore> ImageStore::open(const std::string& root) {
  BERTH_TRY(base::make_dirs(root, 0700));
  ImageStore store(root + "/images.json");
  if (!base::path_exists(store.file_)) return store;
  auto text = base::read_file(store.file_);
  if (!text) return text.take_error();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::internal("load " + store.file_ + ": not a JSON object");
  for (const json& r : j.value("images", json::array())) {
    auto id = parse_digest(r.value("id", ""));
    if (!id) continue;
    ImageRecord rec;
    rec.id = *id;
    rec.tags = r.value("tags", std::vector<std::string>{});
    rec.digests = r.value("digests", std::vector<std::string>{});
    for (const std::string& m : r.value("manifests", std::vector<std::string>{}))
      if (auto d = parse_digest(m)) rec.manifests.push_back(*d);
    rec.added_ns = r.value("added_ns", int64_t{0});
    store.records_[id->hex] = std::move(rec);
  }
  return store;
}

Status ImageStore::save() const {
  json arr = json::array();
  for (const auto& [hex, r] : records_) {
    json m = json::array();
    for (const Digest& d : r.manifests) m.push_back(d.str());
    arr.push_back({{"id", r.id.str()},
                   {"tags", r.tags},
                   {"digests", r.digests},
                   {"manifests", m},
                   {"added_ns", r.added_ns}});
  }
  return base::write_file_atomic(file_, json{{"images", arr}}.dump(1), 0600);
}

const ImageRecord* ImageStore::find(const Digest& id) const {
  auto it = records_.find(id.hex);
  return it == records_.end() ? nullptr : &it->second;
}

std::optional<Digest> ImageStore::lookup_ref(const std::string& full) const {
  for (const auto& [hex, r] : records_) {
    if (std::find(r.tags.begin(), r.tags.end(), full) != r.tags.end()) return r.id;
    if (std::find(r.digests.begin(), r.digests.end(), full) != r.digests.end()) return r.id;
  }
  return std::nullopt;
}

std::vector<Digest> ImageStore::find_prefix(const std::string& prefix) const {
  std::vector<Digest> out;
  for (auto it = records_.lower_bound(prefix); it != records_.end() && base::starts_with(it->first, prefix); ++it)
    out.push_back(it->second.id);
  return out;
}

Status ImageStore::put(const ImageRecord& rec) {
  auto [it, inserted] = records_.try_emplace(rec.id.hex, rec);
  bool changed = inserted;
  if (!inserted) {
    for (const std::string& t : rec.tags) changed |= add_sorted(it->second.tags, t);
    for (const std::string& d : rec.digests) changed |= add_sorted(it->second.digests, d);
    for (const Digest& m : rec.manifests)
      if (std::find(it->second.manifests.begin(), it->second.manifests.end(), m) == it->second.manifests.end()) {
        it->second.manifests.push_back(m);
        changed = true;
      }
  }
  std::sort(it->second.tags.begin(), it->second.tags.end());
  std::sort(it->second.digests.begin(), it->second.digests.end());
  // A tag names one image: take the new record's tags away from the others.
  for (auto& [hex, other] : records_)
    if (hex != rec.id.hex)
      for (const std::string& t : rec.tags) changed |= erase_value(other.tags, t);
  // Re-registering an unchanged image (a fully cached build) writes nothing.
  return changed ? save() : Status{};
}

Status ImageStore::set_tag(const std::string& tag, const Digest& id) {
  auto it = records_.find(id.hex);
  if (it == records_.end()) return base::not_found("no such image: " + id.str());
  for (auto& [hex, r] : records_) erase_value(r.tags, tag);
  add_sorted(it->second.tags, tag);
  return save();
}

Status ImageStore::add_digest(const std::string& ref, const Digest& id) {
  auto it = records_.find(id.hex);
  if (it == records_.end()) return base::not_found("no such image: " + id.str());
  for (auto& [hex, r] : records_) erase_value(r.digests, ref);
  add_sorted(it->second.digests, ref);
  return save();
}

Result<Digest> ImageStore::remove_ref(const std::string& full) {
  for (auto& [hex, r] : records_) {
    if (erase_value(r.tags, full) || erase_value(r.digests, full)) {
      Digest id = r.id;
      BERTH_TRY(save());
      return id;
    }
  }
  return base::not_found("no such image: " + full);
}

Status ImageStore::erase(const Digest& id) {
  records_.erase(id.hex);
  return save();
}

}  // namespace engine::image
