#pragma once
/// `build:` services: which services `up` builds (Docker Compose's rules) and the /build
/// request of one service. Pure: the environment is a lookup function.
#include <string>
#include <vector>

#include "compose/model/project.h"
#include "compose/plan/engine_client.h"
#include "engine/base/error.h"

namespace compose::plan {

/// Flags of `compose build` (and the defaults `up` builds with).
struct BuildFlags {
  bool no_cache = false;
  bool pull = false;
  bool quiet = false;
  std::vector<std::string> build_args;  ///< --build-arg KEY=VALUE or KEY (value from the environment)
};

/// The /build request of service `s`: its image name first, then build.tags; args without a
/// value (in the file or on the command line) take the environment's value or are left out.
engine::base::Result<BuildRequest> build_request(const model::Project& p, const model::Service& s,
                                                 const BuildFlags& f, const EnvLookup& env);
/// Whether `up` builds service `s`: it has build: and (--build, pull_policy: build, or its
/// image is not present locally), unless --no-build.
bool needs_build(const model::Service& s, bool image_present, bool build_flag, bool no_build_flag);

}  // namespace compose::plan
