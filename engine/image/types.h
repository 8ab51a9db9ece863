#pragma once
/// Value types of the image service API (engine/image/service.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/image/config.h"
#include "engine/image/digest.h"

namespace engine::image {

/// An image as the API shows it.
struct Image {
  Digest id;                              ///< config digest: "sha256:<hex>" is the image ID
  std::vector<std::string> repo_tags;     ///< familiar "busybox:latest", sorted
  std::vector<std::string> repo_digests;  ///< familiar "busybox@sha256:...", sorted
  ImageConfig config;
  int64_t created_ns = 0;                 ///< config "created", else when it was stored
  uint64_t size = 0;                      ///< sum of the layers' uncompressed sizes
};

/// One layer's progress during pull, push or load; status strings follow Docker's
/// ("Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete",
/// "Extracting", "Pull complete", "Already exists", "Pushing", "Pushed",
/// "Layer already exists", "Mounted from <repo>", "Loading layer").
struct ProgressEvent {
  std::string id;       ///< short (12 hex) layer digest; empty for whole-image messages
  std::string status;
  uint64_t current = 0;
  uint64_t total = 0;   ///< 0 if unknown
};
/// Progress callback; calls are serialized by the service (never concurrent).
using ProgressFn = std::function<void(const ProgressEvent&)>;

/// "Is this image used by a container?" (asked by remove and prune).
using InUseFn = std::function<bool(const Digest& image_id)>;

/// Options of import_rootfs (docker import).
struct ImportOptions {
  ContainerConfig config;  ///< Cmd, Env, ... of the new image (--change, already parsed)
  std::string message;     ///< history comment; default "Imported from <source>"
  std::string source = "-";
  std::string architecture = "amd64";
  std::string os = "linux";
};

/// One line of a remove/prune answer, as Docker's [{"Untagged": ...}, {"Deleted": ...}].
struct RemovedItem {
  std::string untagged;  ///< familiar reference, or empty
  std::string deleted;   ///< "sha256:..." image or layer, or empty
};

/// Result of prune.
struct PruneReport {
  std::vector<RemovedItem> items;
  uint64_t space_reclaimed = 0;
};

/// One row of `docker history`, newest first.
struct HistoryEntry {
  std::string id;  ///< image ID on the top row, "<missing>" below (as Docker shows)
  int64_t created_ns = 0;
  std::string created_by;
  std::vector<std::string> tags;
  uint64_t size = 0;
  std::string comment;
};

/// Registry credentials (docker login / X-Registry-Auth).
struct AuthConfig {
  std::string username;
  std::string password;
  std::string identity_token;  ///< OAuth refresh token, if the registry gave one
};

/// Options of pull.
struct PullOptions {
  std::string platform = "linux/amd64";  ///< os/arch[/variant]
  std::optional<AuthConfig> auth;
  bool insecure = false;   ///< allow plain HTTP after a failed TLS handshake (always for localhost, 127.0.0.0/8)
  int parallel = 8;        ///< layers fetched and unpacked at once (a connection and two threads each)
  std::string certs_dir = "/etc/berth/certs.d";  ///< <dir>/<registry>/ca.crt trusted when present
};

/// Options of push.
struct PushOptions {
  std::optional<AuthConfig> auth;
  bool insecure = false;
  std::string certs_dir = "/etc/berth/certs.d";
};

}  // namespace engine::image
