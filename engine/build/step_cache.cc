#include "engine/build/step_cache.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"

namespace engine::build {

StepCache::StepCache(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  if (!in) return;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_object())
    for (auto& [k, v] : j.items())
      if (v.is_string()) entries_[k] = v.get<std::string>();
}

const std::string* StepCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void StepCache::put(const std::string& key, const std::string& config) {
  entries_[key] = config;
  dirty_ = true;
}

base::Status StepCache::save() {
  if (!dirty_) return {};
  BERTH_TRY(base::write_file_atomic(path_, nlohmann::json(entries_).dump(), 0600));
  dirty_ = false;
  return {};
}

}  // namespace engine::build
