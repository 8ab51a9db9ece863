#pragma once
/// /containers and /exec endpoints over container::Manager (Docker Engine API shapes).
#include "engine/api/router.h"
#include "engine/container/manager.h"

namespace engine::api {

void add_container_routes(Router& r, engine::container::Manager* containers);

/// Docker's multiplexed stream frame: [stream, 0, 0, 0, size (big endian u32)] + payload.
std::string mux_frame(int stream, std::string_view payload);

}  // namespace engine::api
