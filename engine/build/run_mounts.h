#pragma once
/// RUN --mount flags. Only type=cache is supported: a directory kept under the builder's
/// work root between builds (keyed by id, default the target) and bind-mounted at target
/// while the step runs, so what the command leaves there is not part of the layer.
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/build/dockerfile.h"
#include "engine/runtime/spec.h"

namespace engine::build {

/// The mounts of a RUN's --mount flags, their cache directories created under cache_root;
/// relative targets are taken from workdir. Errors read "Dockerfile:LINE: ...".
base::Result<std::vector<runtime::MountSpec>> run_mounts(const Instruction& ins, const std::string& workdir,
                                                         const std::string& cache_root);

/// Removes the mount points a RUN left empty in its upper dir (created for the mounts)
/// when no lower layer has them, so the cache does not show up in the layer.
void remove_mount_stubs(const std::vector<runtime::MountSpec>& mounts, const std::string& upper_dir,
                        const std::vector<std::string>& lowerdirs);

}  // namespace engine::build
