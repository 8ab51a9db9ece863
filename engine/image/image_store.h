#pragma once
/// Image records and the references pointing at them, persisted in <root>/images.json
/// (written atomically). An image's ID is the digest of its config blob; the record keeps
/// its repository tags and digests (full normalized names) and the manifests it came with.
/// Not thread-safe: ImageService serializes access.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/digest.h"

namespace engine::image {

/// One stored image.
struct ImageRecord {
  Digest id;                              ///< config digest
  std::vector<std::string> tags;          ///< "docker.io/library/busybox:latest", sorted
  std::vector<std::string> digests;       ///< "docker.io/library/busybox@sha256:...", sorted
  std::vector<Digest> manifests;          ///< manifest blobs kept for this image
  int64_t added_ns = 0;                   ///< when it was stored (fallback for Created)
};

class ImageStore {
 public:
  /// Loads <root>/images.json (missing = empty store).
  static base::Result<ImageStore> open(const std::string& root);
  /// All records, ordered by ID.
  const std::map<std::string, ImageRecord>& records() const { return records_; }
  const ImageRecord* find(const Digest& id) const;
  /// The image a full "name:tag" or "name@digest" string points at.
  std::optional<Digest> lookup_ref(const std::string& full) const;
  /// IDs whose hex starts with prefix (sorted).
  std::vector<Digest> find_prefix(const std::string& hex_prefix) const;
  /// Inserts or merges a record (tags/digests/manifests are unioned) and saves.
  base::Status put(const ImageRecord& rec);
  /// Points a tag at id, taking it away from any other image; saves.
  base::Status set_tag(const std::string& full_tag, const Digest& id);
  /// Adds a repository digest reference to id; saves.
  base::Status add_digest(const std::string& full_digest_ref, const Digest& id);
  /// Removes a tag or digest reference; returns the image it pointed at.
  base::Result<Digest> remove_ref(const std::string& full);
  /// Deletes a record; saves.
  base::Status erase(const Digest& id);

 private:
  explicit ImageStore(std::string file) : file_(std::move(file)) {}
  base::Status save() const;
  std::string file_;
  std::map<std::string, ImageRecord> records_;  ///< by id hex
};

}  // namespace engine::image
