#pragma once
/// The container's privileges, prepared before clone (capability state, compiled seccomp
/// program, rlimits) and applied by the init or the exec helper with drop_privileges().
/// Built on engine::security.
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/process/user.h"
#include "engine/runtime/spec.h"
#include "engine/security/capabilities.h"
#include "engine/security/rlimits.h"
#include "engine/security/seccomp.h"

namespace engine::process {

struct SecurityPlan {
  std::vector<std::string> caps;  ///< resolved capability names
  security::CapState cap_state;
  bool seccomp = true;            ///< install `program` (false: unconfined or privileged)
  security::SeccompProgram program;
  bool no_new_privileges = false;
  std::vector<security::Rlimit> rlimits;
};

/// Resolves capabilities (spec list, else Docker's default; privileged = all), seccomp and rlimits.
/// CACHE_DIR (optional) keeps compiled seccomp programs keyed by capability set, since compiling
/// Docker's profile costs tens of milliseconds per container.
base::Result<SecurityPlan> prepare_security(const runtime::ContainerSpec& spec, const std::string& cache_dir = "");
/// Applies the rlimits; a refused hard-limit raise names CAP_SYS_RESOURCE.
base::Status apply_rlimits(const SecurityPlan& plan);
/// seccomp (early, unless no_new_privileges), user ids, capabilities, no_new_privs: in that order,
/// with keepcaps so a non-root user keeps what the spec grants until exec.
base::Status drop_privileges(const SecurityPlan& plan, const ExecUser& user, bool in_user_ns);
/// Installs seccomp when no_new_privileges deferred it (call just before execve).
base::Status finish_privileges(const SecurityPlan& plan);

}  // namespace engine::process
