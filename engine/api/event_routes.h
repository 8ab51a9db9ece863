#pragma once
/// GET /events: past events since `since`, then live ones until `until` or the client leaves.
#include "engine/api/router.h"
#include "engine/events/bus.h"

namespace engine::api {

void add_event_routes(Router& r, engine::events::EventBus* bus);

/// Parses Docker's since/until values: unix seconds ("1700000000", "1700000000.5") or RFC 3339.
engine::base::Result<int64_t> parse_event_time(const std::string& s);

}  // namespace engine::api
