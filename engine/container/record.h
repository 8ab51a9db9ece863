#pragma once
/// Container: berthd's record of one container — what was asked for (the Docker
/// create body, merged with the image's defaults), what it runs as, and its state.
///
/// Vocabulary: `config` and `host_config` are kept in Docker's JSON shapes (Config,
/// HostConfig) so inspect shows what the client sent; `state` is berthd's view, kept
/// in step with the runtime (the shim is the truth for a running container).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"
#include "engine/network.h"

namespace engine::container {

/// Docker's health status of a container with a healthcheck.
struct HealthState {
  std::string status;  ///< "", starting, healthy, unhealthy
  int failing_streak = 0;
  nlohmann::json log = nlohmann::json::array();  ///< last results: {Start, End, ExitCode, Output}
};

struct State {
  std::string status = "created";  ///< created, running, paused, restarting, removing, exited, dead
  int pid = 0;
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;
  int64_t started_ns = 0;
  int64_t finished_ns = 0;
  HealthState health;
};

/// One network the container is on: what was asked, and the endpoint once started.
struct NetworkAttachment {
  std::string network_id;                 ///< filled when resolved
  std::vector<std::string> aliases;
  std::string ipv4_address;               ///< static address asked for
  std::string mac_address;
  std::optional<EndpointInfo> endpoint;   ///< while running
};

/// A mount as inspect shows it.
struct MountPoint {
  std::string type;          ///< bind, volume, tmpfs
  std::string name;          ///< volume name
  std::string source;        ///< host path
  std::string destination;
  bool rw = true;
  std::string mode;          ///< as given ("ro", "z", ...)
  std::string propagation;   ///< rprivate, ...
  std::vector<std::string> options;  ///< runtime mount options
};

struct Container {
  std::string id;
  std::string name;  ///< without the leading "/"
  int64_t created_ns = 0;
  std::string image;     ///< as the client named it
  std::string image_id;  ///< "sha256:..."
  std::vector<std::string> path_args;  ///< entrypoint + cmd, resolved
  nlohmann::json config;       ///< Docker "Config"
  nlohmann::json host_config;  ///< Docker "HostConfig"
  std::map<std::string, NetworkAttachment> networks;  ///< by network name
  std::vector<MountPoint> mounts;
  std::vector<PortBinding> ports;  ///< published, with actual host ports while running
  std::string netns_path;
  State state;
  int restart_count = 0;
  bool manually_stopped = false;  ///< stop/kill by a user: unless-stopped stays down
  bool has_been_started = false;
  std::string log_path;
  std::string hosts_path, resolv_conf_path, hostname_path;

  /// Labels from Config.Labels.
  std::map<std::string, std::string> labels() const;
  /// Whether the process is alive (running or paused).
  bool is_running() const { return state.status == "running" || state.status == "paused"; }
};

/// Persisted form (our own record, not Docker's).
nlohmann::json to_record(const Container& c);
base::Result<Container> from_record(const nlohmann::json& j);

/// Docker's GET /containers/{id}/json body.
nlohmann::json inspect_json(const Container& c);
/// Docker's GET /containers/json entry.
nlohmann::json summary_json(const Container& c);
/// "Up 5 seconds", "Exited (0) 3 minutes ago", "Created", "Up 2 minutes (healthy)", "Up 1 second (Paused)".
std::string status_text(const Container& c, int64_t now_ns);
/// "80/tcp" keys of published ports → [{"HostIp","HostPort"}] as NetworkSettings.Ports shows them.
nlohmann::json ports_json(const Container& c);

/// The strings of the array obj[field] (non-strings skipped; missing or not an array: empty).
std::vector<std::string> json_strings(const nlohmann::json& obj, const char* field);

}  // namespace engine::container
