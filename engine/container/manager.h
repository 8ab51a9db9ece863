#pragma once
/// Manager: berthd's containers — create from a Docker create body, run through the
/// Runtime (one berth-shim each), wire networking, follow exits, apply restart
/// policies, answer inspect/list/wait. Thread-safe.
///
/// Lifecycle: create (record only, state "created") → start (netns, endpoints, ports,
/// /etc files, runtime create + start; a monitor thread waits for the exit) → exit
/// (state "exited", networking torn down, "die" event, restart policy) → remove.
/// Records live in <root>/containers/<id>/container.json; after a berthd restart,
/// open() re-adopts running containers from their shims and settles the rest.
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"
#include "engine/container/record.h"
#include "engine/container/root_view.h"
#include "engine/events/bus.h"
#include "engine/image/service.h"
#include "engine/network.h"
#include "engine/runtime/runtime.h"
#include "engine/volume/volume_store.h"

namespace engine::container {

struct ManagerDeps {
  std::string root;                       ///< berthd --root
  runtime::Runtime* runtime = nullptr;
  image::ImageService* images = nullptr;
  volume::VolumeStore* volumes = nullptr;
  NetworkAttacher* network = nullptr;
  events::EventBus* events = nullptr;
};

/// Which exit POST /containers/{id}/wait waits for.
enum class WaitCondition { NotRunning, NextExit, Removed };

class Manager {
 public:
  static base::Result<std::unique_ptr<Manager>> open(ManagerDeps deps);
  ~Manager();

  /// Creates the record; returns the new ID. name "" = a generated name.
  base::Result<std::string> create(const nlohmann::json& body, const std::string& name);
  /// By full ID, unique ID prefix, or name (with or without "/").
  base::Result<Container> get(const std::string& ref) const;
  /// Every container, newest first.
  std::vector<Container> list() const;

  base::Status start(const std::string& ref);
  /// Stop signal, then SIGKILL after timeout_s (default: the container's StopTimeout or 10).
  base::Status stop(const std::string& ref, std::optional<int> timeout_s, const std::string& signal = "");
  base::Status restart(const std::string& ref, std::optional<int> timeout_s);
  base::Status kill(const std::string& ref, const std::string& signal);
  base::Status pause(const std::string& ref);
  base::Status unpause(const std::string& ref);
  /// Waits and returns the exit code (and the error text, if any).
  base::Result<std::pair<int, std::string>> wait(const std::string& ref, WaitCondition cond,
                                                 const std::function<bool()>& cancelled);
  /// force kills a running container first; volumes removes its anonymous volumes.
  base::Status remove(const std::string& ref, bool force, bool volumes);
  base::Status rename(const std::string& ref, const std::string& new_name);
  /// Docker's POST /containers/{id}/update: merges resources and restart policy into
  /// HostConfig, applies them to a running container's cgroup, saves them; returns warnings.
  base::Result<std::vector<std::string>> update(const std::string& ref, const nlohmann::json& body);
  /// `ps` inside the container: Titles and Processes as Docker's /top returns.
  base::Result<nlohmann::json> top(const std::string& ref);
  /// Docker's /containers/{id}/stats (one sample).
  base::Result<nlohmann::json> stats(const std::string& ref);

  /// Blocks until the container's runtime process exists (created, not yet started), then
  /// returns its attach stream; start() waits for pending attachers before exec'ing.
  /// registered() runs once the attach is counted (a start from then on waits for it) and
  /// answers the client; false (client gone) cancels. cancelled() is polled while waiting for start.
  base::Result<runtime::AttachStream> attach(const std::string& ref, const std::function<bool()>& registered,
                                             const std::function<bool()>& cancelled);
  /// Closes the container's stdin for good (after the last attached client's stdin ended).
  base::Status close_stdin(const std::string& ref);

  /// Exec instances (docker exec).
  base::Result<std::string> exec_create(const std::string& ref, const nlohmann::json& body);
  base::Result<nlohmann::json> exec_inspect(const std::string& exec_id);
  /// Starts the exec and returns its process; the caller relays its stdio, then calls exec_finish.
  base::Result<runtime::ExecProcess> exec_start(const std::string& exec_id);
  void exec_finish(const std::string& exec_id, runtime::ExecProcess& proc);
  base::Status exec_resize(const std::string& exec_id, unsigned rows, unsigned cols);
  base::Status resize(const std::string& ref, unsigned rows, unsigned cols);

  /// The container's filesystem for docker cp (running: its live root; stopped: a temporary
  /// mount, and the container cannot start until the view is gone).
  base::Result<std::unique_ptr<RootView>> open_root(const std::string& ref);
  /// Docker's GET /system/df body: Images, Containers (with SizeRw), Volumes (with UsageData),
  /// BuildCache (empty) and LayersSize.
  base::Result<nlohmann::json> disk_usage() const;
  /// Bytes in the container's writable layer (Docker's SizeRw).
  uint64_t size_rw(const std::string& id) const;

  /// IDs of containers whose mounts use the named volume.
  std::vector<std::string> volume_users(const std::string& name) const;
  /// IDs of containers created from the image ID.
  std::vector<std::string> image_users(const std::string& image_id) const;
  /// Names of networks containers are attached to (for network rm checks).
  std::vector<std::string> network_users(const std::string& network_id) const;
  /// Removes every stopped container; returns their IDs.
  std::vector<std::string> prune(const std::function<bool(const Container&)>& select);
  /// Connects/disconnects a container to a network (live when running).
  base::Status connect(const std::string& ref, const std::string& network, const NetworkAttachment& cfg);
  base::Status disconnect(const std::string& ref, const std::string& network, bool force);
  /// Counts for /info: total, running, paused, stopped.
  std::array<int, 4> counts() const;

  struct Impl;  ///< implementation (public so helper functions in the .cc files can name it)

 private:
  explicit Manager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace engine::container
