#pragma once
/// ImageService: the one facade over images (content store, layers, image records,
/// archives and registries). The daemon's API routes and the runtime use only this.
///
/// Vocabulary: an image ID is "sha256:<config digest>", a short ID its first 12 hex
/// characters; a reference is a name with a tag or digest (engine/image/reference.h).
/// Layout under root: blobs/ (content store), layers/ (unpacked layers), images.json.
/// Thread-safe: metadata changes are serialized; downloads and unpacking run outside
/// the lock, and layers being produced are pinned so a concurrent prune cannot drop them.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/blob_store.h"
#include "engine/image/image_store.h"
#include "engine/image/layer_store.h"
#include "engine/image/types.h"

namespace engine::image {

class ImageService {
 public:
  /// Opens (creating if needed) the store under root, e.g. <berthd root>/image.
  static base::Result<std::unique_ptr<ImageService>> open(const std::string& root);

  /// docker import: an image of one layer from a root filesystem tar (plain or compressed).
  base::Result<Image> import_rootfs(int fd, const std::string& ref, const ImportOptions& opts);
  base::Result<Image> import_rootfs(const std::string& tar_path, const std::string& ref, const ImportOptions& opts);
  /// docker load: a docker-archive or OCI-layout tar (optionally compressed); returns the images.
  base::Result<std::vector<Image>> load(int fd, const ProgressFn& progress);
  /// docker save: writes a docker-archive tar (with OCI index.json/oci-layout too) to out_fd.
  base::Status save(const std::vector<std::string>& refs, int out_fd);
  /// Finds an image by name, name:tag, name@digest, full ID, or unambiguous ID prefix.
  base::Result<Image> resolve(const std::string& ref_or_id);
  /// Every image, newest first.
  base::Result<std::vector<Image>> list();
  /// Adds the tag target (e.g. "app:1.0") to the image src resolves to.
  base::Status tag(const std::string& src, const std::string& target);
  /// docker rmi: untags, and deletes when no reference is left; refused while in use unless forced.
  base::Result<std::vector<RemovedItem>> remove(const std::string& ref, bool force, const InUseFn& in_use);
  /// Removes dangling images (all: every image no container uses).
  base::Result<PruneReport> prune(bool all, const InUseFn& in_use);
  /// docker history, newest first.
  base::Result<std::vector<HistoryEntry>> history(const std::string& ref);
  /// Overlay lowerdirs for a container of this image, top layer first.
  base::Result<std::vector<std::string>> layer_dirs(const Image& image);
  /// Pulls from a registry (manifest lists resolved by opts.platform).
  base::Result<Image> pull(const std::string& ref, const PullOptions& opts, const ProgressFn& progress);
  /// Pushes an image (by its tag) to its registry.
  base::Status push(const std::string& ref, const PushOptions& opts, const ProgressFn& progress);

  /// Checks credentials against a registry (docker login); the caller stores them.
  base::Status login(const std::string& server, const AuthConfig& auth, bool insecure,
                     const std::string& certs_dir = "/etc/berth/certs.d");

  /// Stores an image built elsewhere (builder, load, pull): config blob, layers already created.
  base::Result<Image> register_image(const std::string& config_json, const std::vector<std::string>& tags,
                                     const std::vector<std::string>& digests, const std::vector<Digest>& manifests);

  BlobStore& blobs() { return blobs_; }
  LayerStore& layers() { return layers_; }

 private:
  ImageService(std::string root, BlobStore blobs, LayerStore layers, ImageStore images);
  base::Result<Image> make_image(const ImageRecord& rec);  // mu_ held
  base::Result<Digest> resolve_id(const std::string& ref_or_id);  // mu_ held
  base::Result<std::vector<RemovedItem>> delete_image(const Digest& id, uint64_t* reclaimed);  // mu_ held
  base::Status collect_orphans(uint64_t* reclaimed);  // mu_ held
  struct PullJob;
  base::Status pull_layer(PullJob& job);
  base::Status commit_pulled(std::vector<PullJob>& jobs);
  /// Keeps layers alive (safe from prune/remove) while an operation that will reference them runs.
  class LayerPin {
   public:
    LayerPin(ImageService& s, std::vector<Digest> ids);
    ~LayerPin();
    LayerPin(const LayerPin&) = delete;
    LayerPin& operator=(const LayerPin&) = delete;

   private:
    ImageService& s_;
    std::vector<Digest> ids_;
  };
  std::string root_;
  BlobStore blobs_;
  LayerStore layers_;
  std::mutex mu_;
  ImageStore images_;
  std::multiset<std::string> pinned_;  ///< diff ID hex
};

}  // namespace engine::image
