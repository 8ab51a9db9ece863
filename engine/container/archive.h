#pragma once
/// docker cp's filesystem side: paths inside a container root opened as a directory fd.
///
/// Every lookup stays inside the root: symlinks are resolved as if the root were "/"
/// (an absolute target restarts at the root, ".." stops at it), and each open uses
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a path or a link planted by the
/// container cannot reach the host (the class of CVE-2018-15664 and CVE-2019-14271).
#include <functional>
#include <string>
#include <string_view>

#include "engine/base/error.h"
#include "engine/container/path_stat.h"

namespace engine::container {

/// Resolves an absolute container path beneath root_fd to a clean absolute path without
/// symlinks (the last component is followed only when follow_last). Missing components
/// are kept as given.
base::Result<std::string> resolve_in_root(int root_fd, const std::string& path, bool follow_last);

/// HEAD /containers/{id}/archive: the stat of PATH (a symlink itself, with its resolved target).
base::Result<PathStat> stat_in_root(int root_fd, const std::string& path);

/// Receives tar bytes; false stops the copy (the client went away).
using TarSink = std::function<bool(std::string_view)>;

/// GET /containers/{id}/archive: PATH as an uncompressed tar whose top entry is PATH's
/// base name, or "." (the directory's contents) when PATH ends in "/." or is "/".
/// A trailing "/" or "/." follows a final symlink; otherwise the link itself is archived.
base::Status tar_from_root(int root_fd, const std::string& path, const TarSink& sink);

/// PUT /containers/{id}/archive: extracts TAR (plain or compressed) into the existing
/// directory PATH. Entries cannot leave that directory; with no_overwrite_dir_non_dir a
/// directory never replaces a non-directory nor the reverse (checked before writing);
/// chown keeps the archive's uid/gid (else the files belong to the daemon's user).
base::Status extract_into_root(int root_fd, const std::string& path, std::string_view tar,
                               bool no_overwrite_dir_non_dir, bool chown);

/// Writes NAME (inside the directory PARENT_FD) as a tar whose top entry is ARCHIVE_NAME
/// ("." = the directory's contents at the top); nothing below NAME is followed if a symlink.
base::Status write_tree_tar(int parent_fd, const std::string& name, const std::string& archive_name,
                            const TarSink& sink);

/// Extracts TAR (plain or compressed) into DIR_FD with the layer unpacker's confinement
/// (no "..", no absolute paths, no writes through symlinks out of DIR_FD, no devices).
base::Status extract_tar(int dir_fd, std::string_view tar, bool chown);

/// TAR with its top entry renamed: FROM (a name, or "." for top-level contents) becomes TO,
/// and every entry below it (and hard link targets) moves along. Other entries are dropped.
base::Result<std::string> rename_tar_root(std::string_view tar, const std::string& from, const std::string& to);

}  // namespace engine::container
