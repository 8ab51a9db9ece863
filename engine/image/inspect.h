#pragma once
/// Docker Engine API (v1.41) JSON shapes for images: GET /images/json entries,
/// GET /images/{name}/json and GET /images/{name}/history. The API layer only routes.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/image/types.h"

namespace engine::image {

/// One entry of GET /images/json (dangling images show "<none>:<none>", as v1.41 does).
nlohmann::json image_summary_json(const Image& img);
/// GET /images/{name}/json; lower_dirs are the overlay lowerdirs (top first) for GraphDriver.
nlohmann::json image_inspect_json(const Image& img, const std::vector<std::string>& lower_dirs);
/// GET /images/{name}/history.
nlohmann::json history_json(const std::vector<HistoryEntry>& entries);
/// Docker's full container "Config" object filled from an image config.
nlohmann::json docker_config_json(const ContainerConfig& c);
/// Docker's [{"Untagged": ...}, {"Deleted": ...}] answer of DELETE /images/{name}.
nlohmann::json removed_json(const std::vector<RemovedItem>& items);

}  // namespace engine::image
