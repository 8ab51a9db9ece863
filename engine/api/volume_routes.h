#pragma once
/// /volumes endpoints (list, create, inspect, remove, prune) over a VolumeStore.
#include "engine/api/router.h"
#include "engine/events/bus.h"
#include "engine/volume/volume_store.h"

namespace engine::api {

struct VolumeDeps {
  engine::volume::VolumeStore* store = nullptr;
  engine::events::EventBus* events = nullptr;
  engine::volume::InUseFn in_use;  ///< container IDs using a volume
};

void add_volume_routes(Router& r, VolumeDeps deps);

}  // namespace engine::api
