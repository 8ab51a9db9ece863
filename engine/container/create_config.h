#pragma once
/// From a Docker POST /containers/create body to a Container record: type checks,
/// defaults, the image's config applied (Entrypoint, Cmd, Env, WorkingDir, User,
/// ExposedPorts, Volumes, Healthcheck, StopSignal, Labels), mounts and published ports
/// parsed. Pure: volumes are made through the callback, nothing else is touched.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"
#include "engine/container/record.h"
#include "engine/image/types.h"

namespace engine::container {

/// Host directory of a named volume, creating it if missing (anonymous when name is empty).
/// Returns {name, mountpoint}.
using EnsureVolumeFn =
    std::function<base::Result<std::pair<std::string, std::string>>(const std::string& name, bool anonymous)>;

/// Builds the record (id, name, state left to the caller). Errors are 400-class with the field named.
base::Result<Container> build_container(const nlohmann::json& body, const image::Image& img,
                                        const EnsureVolumeFn& ensure_volume);

/// "8080:80", "127.0.0.1:8080:80/udp" style keys are not here: Docker sends PortBindings;
/// this parses one {"80/tcp": [{"HostIp","HostPort"}]} entry set into bindings.
base::Result<std::vector<PortBinding>> parse_port_bindings(const nlohmann::json& port_bindings,
                                                           const nlohmann::json& exposed, bool publish_all);

/// Memory sizes as Docker's CLI writes them ("512m", "1g", "100000"): bytes.
base::Result<int64_t> parse_bytes(const std::string& s);

/// Signal by name or number ("SIGTERM", "TERM", "15"); -1 if unknown.
int parse_signal(const std::string& s);

}  // namespace engine::container
