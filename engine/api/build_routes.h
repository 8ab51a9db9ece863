#pragma once
/// POST /build of the Docker Engine API: a tar build context in, Docker JSON messages out
/// ({"stream":"Step 1/5 : FROM busybox\n"}, {"aux":{"ID":"sha256:..."}}, "Successfully built ...").
#include <string>

#include "engine/api/router.h"
#include "engine/image/service.h"
#include "engine/runtime/runtime.h"

namespace engine::api {

struct BuildDeps {
  engine::image::ImageService* images = nullptr;
  engine::runtime::Runtime* runtime = nullptr;
  std::string runtime_state_root;  ///< the runtime's bundle root (for the RUN containers' upper dirs)
  std::string work_root;           ///< builder cache and temp dirs, e.g. <root>/build
};

/// Registers POST /build.
void add_build_routes(Router& r, const BuildDeps& deps);

}  // namespace engine::api
