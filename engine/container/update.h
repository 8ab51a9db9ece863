#pragma once
/// Live resource updates (docker update): a POST /containers/{id}/update body merged into
/// HostConfig, and HostConfig's resource fields as cgroup limits. Pure; Manager::update
/// applies the result to a running container's cgroup and saves it in the record.
#include <nlohmann/json.hpp>

#include "engine/base/error.h"
#include "engine/cgroup/cgroup.h"

namespace engine::container {

/// Resource limits of a HostConfig (Memory, MemorySwap, NanoCpus, CpuQuota, PidsLimit, ...).
base::Result<cgroup::Resources> resources_from_host_config(const nlohmann::json& host_config);

/// HostConfig after applying an update body. As Docker reads it: a 0 or missing number
/// and an empty string leave a field as it is; PidsLimit 0 or -1 means unlimited and
/// null leaves it; RestartPolicy with an empty Name is ignored. Bad values: InvalidArgument.
base::Result<nlohmann::json> merge_update(const nlohmann::json& host_config, const nlohmann::json& body);

}  // namespace engine::container
