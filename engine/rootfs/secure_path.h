#pragma once
/// Path resolution that cannot leave the container's root: an image may hold symlinks such as
/// /etc -> /host/etc, and a mount target followed naively would land on the host (the class of
/// CVE-2021-30465). Every component is resolved with openat2(RESOLVE_IN_ROOT), created if
/// missing with *at() calls on its resolved parent, and mounts go to /proc/self/fd/N.
#include <string>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::rootfs {

/// What to create when the path is missing.
enum class Create { None, Dir, File };

/// Opens PATH (container-absolute) under ROOT as an O_PATH fd, creating missing parents as
/// directories and the last component as CREATE says.
base::Result<base::UniqueFd> open_in_root(const std::string& root, const std::string& path, Create create);
/// Opens the parent directory of PATH under ROOT (created if missing) and returns the last name.
base::Result<base::UniqueFd> open_parent_in_root(const std::string& root, const std::string& path, std::string* name);
/// "/proc/self/fd/N" for an fd, the form mount(2) accepts for an already-resolved target.
std::string fd_path(int fd);

}  // namespace engine::rootfs
