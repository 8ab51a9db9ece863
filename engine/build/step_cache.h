#pragma once
/// The builder's step cache: step key -> image config JSON after the step, in one JSON file.
#include <map>
#include <string>

#include "engine/base/error.h"

namespace engine::build {

/// Step key -> config after the step; saved atomically (temp file, rename).
class StepCache {
 public:
  /// Loads PATH (a missing or unreadable file is an empty cache).
  explicit StepCache(std::string path);
  /// The cached config of KEY, or nullptr.
  const std::string* find(const std::string& key) const;
  /// Records a step; save() writes the file.
  void put(const std::string& key, const std::string& config);
  /// Writes the file if anything was put since it was loaded.
  base::Status save();

 private:
  std::string path_;
  std::map<std::string, std::string> entries_;
  bool dirty_ = false;
};

}  // namespace engine::build
