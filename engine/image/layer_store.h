#pragma once
/// Unpacked layers, shared by every image that has them:
///   <root>/layers/<diff-id hex>/diff        the directory used as an overlay lowerdir
///   <root>/layers/<diff-id hex>/layer.json  diff ID, size, and the blob it came from
/// A layer is unpacked into <root>/layers/tmp/<random>, verified against its diff ID, then
/// renamed into place: a visible layer is always complete. Layers are keyed by diff ID
/// (not chain ID) because an overlay lowerdir does not depend on the layers below it.
/// Reference counting is derived from the image records (ImageService); the builder adds
/// layers through create() like any other producer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/digest.h"
#include "engine/image/unpack.h"

namespace engine::image {

/// The compressed (or plain) tar a layer came from, kept in the blob store for save/push.
struct LayerBlob {
  Digest digest;
  std::string media_type;  ///< e.g. application/vnd.docker.image.rootfs.diff.tar.gzip
  uint64_t size = 0;
};

/// Metadata of one unpacked layer.
struct LayerInfo {
  Digest diff_id;
  uint64_t size = 0;  ///< uncompressed tar size
  std::optional<LayerBlob> blob;
};

/// Media type for a layer blob with the given compression ("none", "gzip", "zstd").
std::string layer_media_type(const std::string& compression, bool oci);

class LayerStore {
 public:
  /// Creates <root>/layers and clears leftovers of interrupted unpacks.
  static base::Result<LayerStore> open(const std::string& root);
  /// The overlay lowerdir of a layer.
  std::string diff_dir(const Digest& diff_id) const { return dir_ + "/" + diff_id.hex + "/diff"; }
  bool has(const Digest& diff_id) const;
  base::Result<LayerInfo> get(const Digest& diff_id) const;
  /// Unpacks the tar read from fd; fails if expected_diff_id is set and does not match.
  /// If the layer already exists the new copy is discarded. blob is recorded if given
  /// (its digest is checked against the bytes read unless opts.hash_compressed is off,
  /// for callers that verify the blob themselves).
  base::Result<LayerInfo> create(int fd, const std::optional<Digest>& expected_diff_id,
                                 const std::optional<LayerBlob>& blob, const UnpackOptions& opts = {});
  /// Same, reading the tar from a reader.
  base::Result<LayerInfo> create(const ReadFn& read, const std::optional<Digest>& expected_diff_id,
                                 const std::optional<LayerBlob>& blob, const UnpackOptions& opts = {});
  /// Records the blob a layer can be served from (if it has none yet).
  base::Status set_blob(const Digest& diff_id, const LayerBlob& blob);
  /// Removes a layer; missing is success.
  base::Status remove(const Digest& diff_id);
  /// Every layer's diff ID, sorted.
  std::vector<Digest> list() const;

 private:
  explicit LayerStore(std::string dir) : dir_(std::move(dir)) {}
  base::Status write_info(const std::string& layer_dir, const LayerInfo& info) const;
  std::string dir_;
};

}  // namespace engine::image
