#pragma once
/// The daemon's RunFn: runs a RUN step in a throw-away berth container.
#include <string>

#include "engine/build/builder.h"
#include "engine/runtime/runtime.h"

namespace engine::build {

/// A RunFn over RUNTIME: a container (host network, no cgroup) on the request's layers;
/// its output goes to OUT, its overlay upper dir is moved to the request's upper_dir, and
/// the container is removed whatever happens.
RunFn make_runtime_run_fn(runtime::Runtime& runtime, std::string state_root, OutputFn out);

/// Takes the longest prefix of pending made of whole UTF-8 sequences (invalid bytes become
/// U+FFFD), leaving an incomplete trailing sequence in pending; with flush, takes everything.
/// Output chunks can split characters, and JSON messages must carry valid UTF-8.
std::string take_utf8(std::string& pending, bool flush);

}  // namespace engine::build
