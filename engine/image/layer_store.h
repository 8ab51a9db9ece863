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

class LayerStore;

/// A layer unpacked and verified in a temporary directory, not visible yet; dropped
/// without LayerStore::commit() it is removed.
class StagedLayer {
 public:
  StagedLayer(StagedLayer&& o) noexcept : info(std::move(o.info)), tmp_(std::move(o.tmp_)) { o.tmp_.clear(); }
  StagedLayer& operator=(StagedLayer&&) = delete;
  ~StagedLayer();
  LayerInfo info;  ///< what the layer will be recorded as

 private:
  friend class LayerStore;
  StagedLayer(LayerInfo i, std::string tmp) : info(std::move(i)), tmp_(std::move(tmp)) {}
  std::string tmp_;  ///< the temporary layer directory (empty once committed)
};

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
  /// Same, reading the tar from a chunk source.
  base::Result<LayerInfo> create(const ChunkFn& next, const std::optional<Digest>& expected_diff_id,
                                 const std::optional<LayerBlob>& blob, const UnpackOptions& opts = {});
  /// First half of create(): unpacks and verifies into a temporary directory without
  /// making it durable or visible (to batch several layers behind one syncfs).
  base::Result<StagedLayer> stage(const ChunkFn& next, const std::optional<Digest>& expected_diff_id,
                                  const std::optional<LayerBlob>& blob, const UnpackOptions& opts = {});
  /// Second half: renames a staged layer into place (an existing copy wins). The caller
  /// must have made its files durable first (sync_filesystem()); the rename itself is
  /// durable once sync_dir() has run.
  base::Result<LayerInfo> commit(StagedLayer&& staged);
  /// syncfs() of the filesystem holding the store: every staged file and directory is durable.
  base::Status sync_filesystem() const;
  /// fsync of the store directory: committed renames are durable.
  base::Status sync_dir() const;
  /// Records the blob a layer can be served from (if it has none yet).
  base::Status set_blob(const Digest& diff_id, const LayerBlob& blob);
  /// Removes a layer; missing is success.
  base::Status remove(const Digest& diff_id);
  /// Every layer's diff ID, sorted.
  std::vector<Digest> list() const;

 private:
  explicit LayerStore(std::string dir) : dir_(std::move(dir)) {}
  base::Status write_info(const std::string& layer_dir, const LayerInfo& info, bool durable = true) const;
  std::string dir_;
};

}  // namespace engine::image
