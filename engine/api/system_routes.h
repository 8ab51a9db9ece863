#pragma once
/// System endpoints: /_ping, /version, /info (Docker Engine API shapes).
#include <functional>
#include <string>

#include "engine/api/router.h"
#include "engine/container/manager.h"

namespace engine::api {

/// Facts about the daemon that /version and /info report.
struct SystemFacts {
  std::string version;       ///< berth version, e.g. "0.1.0"
  std::string git_commit;
  std::string root_dir;      ///< --root
  std::string daemon_id;
  int64_t started_ns = 0;
  /// Filled by the daemon: counts for /info (containers, running, paused, stopped, images).
  std::function<void(nlohmann::json& info)> extend_info;
};

void add_system_routes(Router& r, const SystemFacts& facts);
/// GET /system/df over the container manager (images, containers, volumes, sizes).
void add_system_df_route(Router& r, engine::container::Manager* containers);

}  // namespace engine::api
