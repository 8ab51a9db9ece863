#pragma once
/// JSON codec of the typed model; the JSON is the canonical shape `compose config`
/// prints (keys and shapes follow `docker compose config --format json`).
#include "compose/model/project.h"
#include "engine/base/error.h"

namespace compose::model {

/// Binds canonical project JSON (as produced by the loader) to the model.
engine::base::Result<Project> project_from_json(const Json& j);
/// The canonical JSON of a project: name, services, networks, volumes, secrets, configs, x-*.
Json project_to_json(const Project& p);

/// Binds one canonical service object; `name` is its key under services.
engine::base::Result<Service> service_from_json(const std::string& name, const Json& j);
/// The canonical JSON of one service.
Json service_to_json(const Service& s);

/// Binds one top-level network/volume/secret/config entry.
Resource resource_from_json(const Json& j);
Json resource_to_json(const Resource& r);

/// sha256 (hex) of the service's canonical JSON minus fields that do not change the
/// container (deploy.replicas, scale); the orchestrator compares it for convergence.
std::string config_hash(const Service& s);

}  // namespace compose::model
