#pragma once
/// Manifests and indexes in the formats registries and archives use: Docker image
/// manifest v2 schema 2, Docker manifest lists, OCI image manifests and OCI indexes,
/// plus platform selection ("linux/amd64", "linux/arm64/v8").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/digest.h"

namespace engine::image {

namespace media {
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
}  // namespace media

/// os/architecture[/variant].
struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;
  std::string str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }
};

/// Parses "linux/amd64", "linux/arm64/v8", "amd64" (os defaults to linux).
base::Result<Platform> parse_platform(std::string_view s);

/// A content descriptor.
struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

/// An image manifest (Docker schema 2 or OCI).
struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

/// A manifest list / OCI index.
struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

/// True for manifest-list and index media types.
bool is_index_type(std::string_view media_type);
/// The media type of a manifest document: its mediaType field, else guessed from its shape.
std::string detect_media_type(std::string_view json);
base::Result<Manifest> parse_manifest(std::string_view json);
base::Result<Index> parse_index(std::string_view json);
/// Serializes with stable key order (the digest of the result is the manifest digest).
std::string manifest_to_json(const Manifest& m);
std::string index_to_json(const Index& i);
/// The entry matching the platform (variant-insensitive when the request has none).
base::Result<Descriptor> select_platform(const Index& index, const Platform& want);
/// "gzip", "zstd" or "none", from a layer media type.
std::string compression_of(std::string_view layer_media_type);

}  // namespace engine::image
