#pragma once
/// The orchestrator runs compose verbs through an EngineClient: it observes what the
/// engine holds (Actual), plans (planner.h) and applies the plan. `up` runs one thread
/// per service: each waits for its dependencies' conditions (service_started,
/// service_healthy, service_completed_successfully; required: false), then creates,
/// recreates or starts its containers, so independent services start concurrently and
/// a dependency that fails stops its dependents with an error naming it.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compose/model/project.h"
#include "compose/plan/build.h"
#include "compose/plan/engine_client.h"
#include "compose/plan/planner.h"
#include "engine/base/error.h"

namespace compose::plan {

/// A progress event: one object (network, volume, container, image) changed state.
struct Event {
  std::string kind;    ///< Network | Volume | Container | Image
  std::string name;    ///< engine-side name
  std::string status;  ///< Creating, Created, Starting, Started, Waiting, Healthy, Exited, Stopping, ...
  bool error = false;  ///< status describes a failure
  bool warning = false;
};
using EventSink = std::function<void(const Event&)>;

struct RunOptions {
  std::chrono::milliseconds poll{50};              ///< health / state polling interval (inspect is cheap)
  std::optional<std::chrono::milliseconds> timeout;  ///< bound on waiting for conditions and --wait
  int stop_timeout_s = -1;                          ///< -t; -1: each container's own
  EnvLookup env;                                    ///< the project environment (build args, secrets)
  std::string files_base;                           ///< where written secrets/configs go (file_refs.h)
  /// Build and push output, one call per chunk of text, with the service it belongs to.
  std::function<void(const std::string& service, std::string_view text)> image_output;
};

struct DownOptions {
  bool volumes = false;         ///< -v: remove named volumes too
  bool remove_orphans = false;
  std::string rmi;              ///< "", "local" or "all"
};

class Orchestrator {
 public:
  Orchestrator(EngineClient& engine, EventSink sink, RunOptions opts = {});

  /// What the engine holds for the project (containers of all states, networks, volumes, images).
  engine::base::Result<Actual> observe(const model::Project& p);
  /// Converges the engine onto the project (up -d without --wait).
  engine::base::Status up(const model::Project& p, const UpOptions& o);
  /// up --wait: every container of `services` running, and healthy when it has a healthcheck.
  engine::base::Status wait_ready(const model::Project& p, const std::vector<std::string>& services);
  /// Builds the images of `services` (empty = every service with build:), one after another.
  engine::base::Status build(const model::Project& p, const std::vector<std::string>& services, const BuildFlags& f);
  /// Pushes the images of `services` (empty = all) that have both image: and build:.
  engine::base::Status push(const model::Project& p, const std::vector<std::string>& services, bool ignore_failures);
  /// Writes the secrets and configs of `services` that compose materializes (before creating containers).
  engine::base::Status prepare_files(const model::Project& p, const std::vector<std::string>& services);
  /// project_files_dir() of this run ("" without files_base).
  std::string files_dir(const model::Project& p) const;
  /// Stops and removes the project's containers in reverse dependency order, then its networks (and volumes).
  engine::base::Status down(const model::Project& p, const DownOptions& o);

  /// The project's (non one-off) containers of `services` (empty = all), sorted by service then number.
  engine::base::Result<std::vector<ContainerSummary>> containers(const model::Project& p,
                                                                 const std::vector<std::string>& services,
                                                                 bool all);
  engine::base::Status stop(const model::Project& p, const std::vector<std::string>& services);
  engine::base::Status start(const model::Project& p, const std::vector<std::string>& services);
  engine::base::Status restart(const model::Project& p, const std::vector<std::string>& services);
  engine::base::Status kill(const model::Project& p, const std::vector<std::string>& services,
                            const std::string& signal);
  engine::base::Status pause(const model::Project& p, const std::vector<std::string>& services, bool unpause);
  /// Removes stopped containers (stop first when `stop` is set); volumes = anonymous volumes too.
  engine::base::Status rm(const model::Project& p, const std::vector<std::string>& services, bool stop,
                          bool volumes);

  const RunOptions& options() const { return opts_; }

 private:
  friend class UpRun;
  void emit(const std::string& kind, const std::string& name, const std::string& status, bool error = false,
            bool warning = false);
  /// Stops and removes one container, with events.
  engine::base::Status stop_and_remove(const std::string& id, const std::string& name, bool volumes);
  /// Builds one service's image with events and output.
  engine::base::Status build_service(const model::Project& p, const model::Service& s, const BuildFlags& f);
  /// Waits until a container is healthy (or running without a healthcheck when `need_health` is false).
  engine::base::Status wait_container_ready(const std::string& id, const std::string& name, bool need_health);

  EngineClient& engine_;
  EventSink sink_;
  RunOptions opts_;
  std::mutex event_mu_;
};

}  // namespace compose::plan
