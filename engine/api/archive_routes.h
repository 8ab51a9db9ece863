#pragma once
/// /containers/{id}/archive (docker cp): HEAD (stat), GET (a tar of a path), PUT (extract a tar).
#include "engine/api/router.h"
#include "engine/container/manager.h"

namespace engine::api {

void add_archive_routes(Router& r, engine::container::Manager* containers);

}  // namespace engine::api
