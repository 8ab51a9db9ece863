#pragma once
/// Request bodies in the Docker Engine API v1.41 shapes, built from the typed model:
/// POST /containers/create (Config + HostConfig + NetworkingConfig), /networks/create
/// and /volumes/create, with the com.docker.compose.* labels. Keys berth cannot honour
/// yet are an error naming the service and the key, never dropped silently.
#include <string>
#include <utility>
#include <vector>

#include "compose/model/project.h"
#include "compose/plan/engine_client.h"
#include "engine/base/error.h"

namespace compose::plan {

/// What one container of a service is created with.
struct ContainerSpec {
  std::string name;      ///< container name (container_name or <project>-<service>-<n>)
  Json body;             ///< /containers/create body
  /// Networks beyond the first, connected after create: (engine network name, EndpointConfig).
  std::vector<std::pair<std::string, Json>> extra_networks;
};

/// The image a service runs: image:, or "<project>-<service>" for a build-only service.
std::string service_image(const model::Project& p, const model::Service& s);
/// The name of container `number` of a service.
std::string service_container_name(const model::Project& p, const model::Service& s, int number);
/// Every key of the service berth cannot honour yet, as "service web: <key> ..." lines (sorted).
std::vector<std::string> unsupported_keys(const model::Project& p, const model::Service& s);
/// The create body of container `number` (1-based) of service `s`; oneoff marks `run` containers.
/// files_dir: project_files_dir() (file_refs.h), where written secrets and configs live.
engine::base::Result<ContainerSpec> container_spec(const model::Project& p, const model::Service& s, int number,
                                                   bool oneoff = false, const std::string& files_dir = "");
/// The /networks/create body of a project network (key = its key under networks:).
Json network_body(const model::Project& p, const std::string& key, const model::Resource& r);
/// The /volumes/create body of a project volume.
Json volume_body(const model::Project& p, const std::string& key, const model::Resource& r);

}  // namespace compose::plan
