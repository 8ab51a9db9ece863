#pragma once
/// The convergence planner: desired state (the project) against actual state (what the
/// engine reports) gives the actions of `up` and `down`. Pure: no engine calls, no clock;
/// the orchestrator gathers Actual, plans, then runs the plan (ninja's Plan vs Builder).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compose/model/project.h"
#include "compose/plan/engine_client.h"
#include "engine/base/error.h"

namespace compose::plan {

/// What the engine holds for a project, gathered before planning.
struct Actual {
  std::vector<ContainerSummary> containers;    ///< every container labelled with the project (all states)
  std::set<std::string> networks;              ///< engine names that exist
  std::set<std::string> volumes;               ///< engine names that exist
  std::map<std::string, std::string> image_ids;  ///< image ref -> local id ("" or absent: not present)
};

/// `up` flags that change the plan.
struct UpOptions {
  std::vector<std::string> services;   ///< named on the command line; empty = all
  bool no_deps = false;                ///< do not bring up the named services' dependencies
  bool force_recreate = false;
  bool no_recreate = false;
  bool remove_orphans = false;
  bool no_start = false;
  std::string pull = "missing";        ///< always | missing | never (service pull_policy wins unless "always")
  std::map<std::string, int> scale;    ///< --scale svc=n
  bool build = false;                  ///< --build: build every build: service in scope
  bool no_build = false;               ///< --no-build: never build (a missing image is pulled if named)
};

enum class ContainerStep {
  Keep,      ///< running with the current config: nothing to do
  Start,     ///< exists with the current config but is not running
  Create,    ///< missing: create (and start)
  Recreate,  ///< config hash or image changed (or --force-recreate): replace
  Remove,    ///< beyond the service's scale
};

/// "keep", "start", ... for messages and tests.
const char* step_name(ContainerStep s);

struct ContainerAction {
  ContainerStep step = ContainerStep::Keep;
  std::string service;
  int number = 0;
  std::string existing_id;   ///< for Keep/Start/Recreate/Remove
  std::string existing_name;
};

struct UpPlan {
  std::vector<std::string> services;                 ///< in scope, start order
  std::vector<std::string> networks;                 ///< keys under networks: to create
  std::vector<std::string> volumes;                  ///< keys under volumes: to create
  std::vector<std::string> pulls;                    ///< image refs to pull (sorted)
  std::vector<std::string> builds;                   ///< services whose image is built, in start order
  std::map<std::string, std::vector<ContainerAction>> containers;  ///< per service in scope, by number
  std::vector<ContainerSummary> orphans;             ///< containers of services no longer in the project
};

/// The replica count of a service: --scale, else deploy.replicas, else scale:, else 1.
int replicas(const model::Service& s, const UpOptions& opts);
/// The services `up` touches: the named ones plus (unless no_deps) their dependencies, in start order.
engine::base::Result<std::vector<std::string>> services_in_scope(const model::Project& p,
                                                                 const std::vector<std::string>& named,
                                                                 bool no_deps);
/// Plans `up`. Errors: unknown service, external network/volume missing, unsupported keys.
engine::base::Result<UpPlan> plan_up(const model::Project& p, const Actual& actual, const UpOptions& opts);

struct DownPlan {
  /// Containers grouped by reverse dependency level (orphans first): each group stops concurrently.
  std::vector<std::vector<ContainerSummary>> stop_groups;
  std::vector<std::string> networks;  ///< engine names to remove (existing, not external)
  std::vector<std::string> volumes;   ///< engine names to remove (with -v)
};

/// Plans `down`: the project's containers (and with remove_orphans, unknown services'),
/// then its networks and (volumes) its named volumes.
engine::base::Result<DownPlan> plan_down(const model::Project& p, const Actual& actual, bool volumes,
                                         bool remove_orphans);

}  // namespace compose::plan
