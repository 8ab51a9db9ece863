#pragma once
/// /networks endpoints (list, create, inspect, remove, prune, connect, disconnect).
#include "engine/api/router.h"
#include "engine/container/manager.h"
#include "engine/events/bus.h"
#include "engine/network.h"

namespace engine::api {

struct NetworkDeps {
  NetworkAttacher* network = nullptr;
  engine::container::Manager* containers = nullptr;
  engine::events::EventBus* events = nullptr;
};

void add_network_routes(Router& r, NetworkDeps deps);

/// Docker's network JSON (inspect and list entries).
nlohmann::json network_json(const NetworkInfo& n);

}  // namespace engine::api
