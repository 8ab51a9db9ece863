#pragma once
/// The image configuration (OCI image-spec config / Docker image JSON): the runtime
/// defaults applied to containers (Entrypoint, Cmd, Env, ...) plus rootfs diff IDs and
/// history. JSON field names follow the spec; unknown fields are ignored when parsing.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/base/error.h"
#include "engine/image/digest.h"

namespace engine::image {

/// Healthcheck as stored in image configs (durations in nanoseconds).
struct HealthConfig {
  std::vector<std::string> test;  ///< ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"]
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int retries = 0;
};

/// The "config" object: defaults for containers created from the image.
struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports;  ///< "80/tcp", sorted
  std::vector<std::string> env;            ///< "K=V"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;        ///< sorted paths
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<HealthConfig> healthcheck;
  bool args_escaped = false;
  std::vector<std::string> on_build;
};

/// One history entry ("created_by" is the build step).
struct HistoryItem {
  std::string created;  ///< RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

/// The whole image config blob.
struct ImageConfig {
  std::string created;  ///< RFC 3339, may be empty
  std::string author;
  std::string architecture = "amd64";
  std::string os = "linux";
  std::string variant;
  ContainerConfig config;
  std::vector<Digest> diff_ids;  ///< rootfs.diff_ids, bottom layer first
  std::vector<HistoryItem> history;
};

/// Docker/OCI JSON for the "config" object.
nlohmann::json container_config_to_json(const ContainerConfig& c);
base::Result<ContainerConfig> container_config_from_json(const nlohmann::json& j);
/// Serializes an image config (stable key order, so equal configs give equal digests).
std::string image_config_to_json(const ImageConfig& c);
/// Parses an image config blob.
base::Result<ImageConfig> parse_image_config(std::string_view json);

}  // namespace engine::image
