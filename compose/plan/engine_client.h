#pragma once
/// EngineClient: everything compose needs of the engine, as plain C++ types (no HTTP).
///
/// Vocabulary: a *container* is identified by its engine id (or name); compose finds its
/// own containers by the com.docker.compose.* labels (labels.h). Networks and volumes are
/// addressed by their engine-side name (<project>_<key>). Bodies of create calls are the
/// Docker Engine API v1.41 JSON shapes (create_body.h builds them), so an implementation
/// over HTTP just forwards them. cli/compose_engine.h implements this over the API;
/// tests use a FakeEngine that records calls. Implementations must be thread-safe: the
/// orchestrator calls them from one thread per service.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"

namespace compose::plan {

using Json = nlohmann::json;

/// One row of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string name;                           ///< without the leading '/'
  std::string image;                          ///< as configured
  std::string image_id;                       ///< sha256:... of the image it runs
  std::string state;                          ///< created | running | paused | restarting | exited | dead
  std::string status;                         ///< human text ("Up 3 seconds (healthy)")
  std::string command;
  int64_t created = 0;                        ///< unix seconds
  std::map<std::string, std::string> labels;
  Json ports = Json::array();                 ///< [{IP, PrivatePort, PublicPort, Type}]

  /// The value of label key, or "" when the container does not have it.
  std::string label(std::string_view key) const {
    auto it = labels.find(std::string(key));
    return it == labels.end() ? "" : it->second;
  }
};

/// What GET /containers/{id}/json tells compose.
struct ContainerState {
  std::string id;
  std::string name;
  std::string status;       ///< created | running | paused | restarting | exited | dead
  bool running = false;
  int64_t exit_code = 0;
  bool oom_killed = false;
  std::string health;       ///< "" (no healthcheck) | starting | healthy | unhealthy
  std::string error;        ///< State.Error
  std::map<std::string, std::string> labels;
};

/// A network or volume as the engine lists it.
struct ResourceInfo {
  std::string name;
  std::string id;
  std::string driver;
  std::map<std::string, std::string> labels;
};

struct LogOptions {
  bool follow = false;
  bool timestamps = false;
  std::string tail = "all";  ///< "all" or a number
  std::string since;         ///< unix seconds or RFC 3339, "" = beginning
};

struct ExecOptions {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  ///< "K=V"
  std::string user;
  std::string working_dir;
  bool tty = false;
  bool privileged = false;
};

/// Receives log or exec output: stream 1 = stdout, 2 = stderr; return false to stop.
using OutputSink = std::function<bool(int stream, std::string_view data)>;
/// A variable of the project environment (shell over .env), nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// One image build (POST /build): the context directory is sent as a tar.
struct BuildRequest {
  std::string context;                        ///< absolute directory
  std::string dockerfile = "Dockerfile";      ///< relative to the context, or absolute
  std::vector<std::string> tags;              ///< the first one is the service's image
  std::map<std::string, std::string> args;    ///< build args
  std::map<std::string, std::string> labels;  ///< image labels
  std::string target;                         ///< stage to build ("" = last)
  bool no_cache = false;
  bool pull = false;                          ///< always pull base images
  bool quiet = false;
};

class EngineClient {
 public:
  virtual ~EngineClient() = default;

  /// Containers whose labels match every "key=value" (or "key") in `labels`; all = include stopped.
  virtual engine::base::Result<std::vector<ContainerSummary>> list_containers(
      const std::vector<std::string>& labels, bool all) = 0;
  /// POST /containers/create?name=; returns the new id.
  virtual engine::base::Result<std::string> create_container(const std::string& name, const Json& body) = 0;
  virtual engine::base::Status start_container(const std::string& id) = 0;
  /// Stops with the container's stop signal, killing after timeout_s (-1: the container's default).
  virtual engine::base::Status stop_container(const std::string& id, int timeout_s) = 0;
  virtual engine::base::Status restart_container(const std::string& id, int timeout_s) = 0;
  virtual engine::base::Status kill_container(const std::string& id, const std::string& signal) = 0;
  virtual engine::base::Status pause_container(const std::string& id) = 0;
  virtual engine::base::Status unpause_container(const std::string& id) = 0;
  /// DELETE /containers/{id}; volumes = also its anonymous volumes.
  virtual engine::base::Status remove_container(const std::string& id, bool force, bool volumes) = 0;
  virtual engine::base::Result<ContainerState> inspect_container(const std::string& id) = 0;
  /// Waits up to `timeout` for an event of container `id` at or after since_ns (unix ns): true
  /// when one came, false on timeout. Lets waiting for a state react at once instead of polling.
  virtual engine::base::Result<bool> wait_container_event(const std::string& id, int64_t since_ns,
                                                          std::chrono::milliseconds timeout) = 0;
  /// Blocks until the container is not running; returns its exit code.
  virtual engine::base::Result<int64_t> wait_container(const std::string& id) = 0;
  /// GET /containers/{id}/logs, demultiplexed into the sink.
  virtual engine::base::Status container_logs(const std::string& id, const LogOptions& opts,
                                              const OutputSink& sink) = 0;
  /// Runs a command in a running container; returns its exit code.
  virtual engine::base::Result<int64_t> exec(const std::string& id, const ExecOptions& opts,
                                             const OutputSink& sink) = 0;
  /// GET /containers/{id}/top: {Titles, Processes}.
  virtual engine::base::Result<Json> top(const std::string& id) = 0;

  /// Networks whose labels match every filter ("key=value").
  virtual engine::base::Result<std::vector<ResourceInfo>> list_networks(const std::vector<std::string>& labels) = 0;
  /// NotFound when it does not exist.
  virtual engine::base::Result<ResourceInfo> inspect_network(const std::string& name) = 0;
  virtual engine::base::Status create_network(const Json& body) = 0;
  virtual engine::base::Status remove_network(const std::string& name) = 0;
  /// POST /networks/{net}/connect with EndpointConfig.
  virtual engine::base::Status connect_network(const std::string& network, const std::string& container,
                                               const Json& endpoint_config) = 0;

  virtual engine::base::Result<std::vector<ResourceInfo>> list_volumes(const std::vector<std::string>& labels) = 0;
  virtual engine::base::Result<ResourceInfo> inspect_volume(const std::string& name) = 0;
  virtual engine::base::Status create_volume(const Json& body) = 0;
  virtual engine::base::Status remove_volume(const std::string& name) = 0;

  /// The local image's id (sha256:...); NotFound when absent.
  virtual engine::base::Result<std::string> image_id(const std::string& ref) = 0;
  virtual engine::base::Status pull_image(const std::string& ref) = 0;
  virtual engine::base::Status remove_image(const std::string& ref) = 0;
  /// Builds an image; build output (the "stream" text) goes to `out` as stream 1. Returns the image id.
  virtual engine::base::Result<std::string> build_image(const BuildRequest& req, const OutputSink& out) = 0;
  /// POST /images/{name}/push; progress text goes to `out`.
  virtual engine::base::Status push_image(const std::string& ref, const OutputSink& out) = 0;
};

}  // namespace compose::plan
