#pragma once
/// Turning a directory (an overlay upper dir, or a COPY staging dir) into a layer tar.
#include <string>

#include "engine/base/error.h"

namespace engine::build {

/// Writes dir's tree as an uncompressed tar to fd, in sorted (deterministic) order.
/// Overlay whiteouts become OCI entries: a 0/0 char device "x" becomes ".wh.x", and a
/// directory with trusted.overlay.opaque=y gets a ".wh..wh..opq" entry.
base::Result<void> write_diff_tar(const std::string& dir, int fd);

}  // namespace engine::build
