#pragma once
/// The container's privileges, prepared before clone and applied by the init:
/// capability bounding/effective/permitted/inheritable sets and the seccomp filter.
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/runtime/spec.h"

namespace engine::process {

struct SecurityPlan {
  std::vector<int> keep_caps;  ///< capability numbers kept (everything else dropped)
  bool seccomp = true;         ///< install the default seccomp profile
};

/// Docker's default capability names (CAP_CHOWN, ...).
const std::vector<std::string>& default_capability_names();
/// Resolves the spec's capability list (unset = default; privileged = all) and seccomp mode.
base::Result<SecurityPlan> prepare_security(const runtime::ContainerSpec& spec);
/// Drops every capability not kept from the bounding set (needs CAP_SETPCAP: call before setuid).
base::Status drop_bounding_set(const SecurityPlan& plan);
/// Sets effective, permitted and inheritable sets to keep_caps (call after setuid with keepcaps).
base::Status apply_capabilities(const SecurityPlan& plan);
/// Installs the default seccomp filter unless unconfined.
base::Status apply_seccomp(const SecurityPlan& plan);

}  // namespace engine::process
