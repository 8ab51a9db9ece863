#pragma once
/// Named volumes of the `local` driver: a directory <root>/volumes/<name>/_data with
/// its metadata beside it (volume.json). Thread-safe.
///
/// Vocabulary: a volume is "in use" while a container (running or not) references it;
/// the daemon answers that question through the InUseFn it passes in.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"

namespace engine::volume {

struct Volume {
  std::string name;
  std::string driver = "local";
  std::string mountpoint;  ///< host directory the container mounts
  int64_t created_ns = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  ///< driver options (type, device, o)
  bool anonymous = false;                      ///< created without a name (random 64-hex)

  /// Docker's /volumes/{name} shape.
  nlohmann::json to_json() const;
};

/// IDs of the containers using the named volume (empty = unused).
using InUseFn = std::function<std::vector<std::string>(const std::string& name)>;

struct PruneResult {
  std::vector<std::string> deleted;
  uint64_t reclaimed = 0;
};

class VolumeStore {
 public:
  /// Opens (creating) <root>/volumes and loads every volume's metadata.
  static engine::base::Result<std::unique_ptr<VolumeStore>> open(const std::string& root);

  /// Creates a volume, or returns the existing one of that name (as Docker does).
  engine::base::Result<Volume> create(const std::string& name, const std::string& driver,
                                      const std::map<std::string, std::string>& labels,
                                      const std::map<std::string, std::string>& options);
  engine::base::Result<Volume> get(const std::string& name) const;
  /// Sorted by name.
  std::vector<Volume> list() const;
  /// Removes a volume and its data; refused while in use unless force.
  engine::base::Status remove(const std::string& name, bool force, const InUseFn& in_use);
  /// Removes every unused volume accepted by keep_if (anonymous-only pruning is the caller's filter).
  PruneResult prune(const std::function<bool(const Volume&)>& select, const InUseFn& in_use);
  /// Bytes used by the volume's data (for /system/df).
  uint64_t size(const std::string& name) const;

 private:
  explicit VolumeStore(std::string dir) : dir_(std::move(dir)) {}
  engine::base::Status remove_locked(const std::string& name);
  std::string dir_;
  mutable std::mutex mu_;
  std::map<std::string, Volume> volumes_;
};

/// Docker's rule for local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+.
bool valid_volume_name(const std::string& name);

}  // namespace engine::volume
