#pragma once
/// Image archives as `docker save` / `docker load` and OCI tools exchange them.
///
/// Written (save): an OCI image layout that is also a docker-archive, as Docker 25+ writes:
///   oci-layout, index.json, blobs/sha256/<hex> (configs, OCI manifests, layer tars) and
///   manifest.json: [{"Config": "blobs/sha256/<hex>", "RepoTags": [...], "Layers": [...]}].
/// Read (load): that, classic docker-archive (<id>.json, <layer>/layer.tar, symlinked
/// duplicate layers) and plain OCI layouts (index.json, nested indexes, ref-name annotations).
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/blob_store.h"
#include "engine/image/digest.h"
#include "engine/image/layer_store.h"

namespace engine::image {

/// One image found in an extracted archive; paths are relative to the archive root.
struct ArchiveImage {
  std::string config_path;
  std::vector<std::string> layer_paths;  ///< bottom first
  std::vector<std::string> tags;         ///< full normalized "name:tag"
};

/// Reads manifest.json (preferred) or index.json of an archive extracted at dir.
base::Result<std::vector<ArchiveImage>> read_archive_index(const std::string& dir);
/// Reads a file of the extracted archive, confined beneath dir.
base::Result<std::string> read_archive_file(const std::string& dir, const std::string& rel);
/// Opens a file of the extracted archive, confined beneath dir.
base::Result<base::UniqueFd> open_archive_file(const std::string& dir, const std::string& rel);

/// One image to write with save.
struct SaveImage {
  Digest config;
  std::vector<std::string> tags;  ///< full normalized "name:tag" (may be empty)
  std::vector<LayerBlob> layers;  ///< bottom first
};

/// Writes the archive described above to out_fd (a tar stream).
base::Status write_archive(int out_fd, const std::vector<SaveImage>& images, const BlobStore& blobs);

}  // namespace engine::image
