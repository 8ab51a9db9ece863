#pragma once
/// Path handling that never leaves a directory tree: the building blocks of layer
/// unpacking. Every lookup goes through openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS),
/// so ".." and symlinks (absolute or relative) that point outside the root fail with
/// EXDEV instead of escaping. See openat2(2) and CVE-2018-15664 for why.
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::image {

/// Splits an archive path into clean components: strips "./" and empty parts, refuses
/// absolute paths, ".." and over-long names. `what` names the entry in errors.
base::Result<std::vector<std::string>> clean_archive_path(std::string_view path);

/// Opens the directory root/rel (rel components) beneath root with openat2; creates missing
/// directories (mode 0755) when create is true. Symlinks inside the tree are followed as
/// long as they stay beneath root.
base::Result<base::UniqueFd> open_dir_beneath(int root_fd, const std::vector<std::string>& rel, bool create);

/// openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS (plus extra resolve flags).
int openat_beneath(int dir_fd, const std::string& rel, int flags, unsigned mode = 0, unsigned extra_resolve = 0);

/// Removes name (file, symlink or whole directory tree) inside dir_fd without following symlinks.
base::Status remove_at(int dir_fd, const std::string& name);

/// Joins components with '/' ("." when empty).
std::string join_path(const std::vector<std::string>& parts);

}  // namespace engine::image
