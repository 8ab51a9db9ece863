#pragma once
/// Small filesystem helpers with Result errors: whole-file reads, atomic writes
/// (temp file, fsync, rename) and recursive mkdir/remove.
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace engine::base {

/// Reads a whole file.
Result<std::string> read_file(const std::string& path);
/// Writes a file atomically: PATH.tmp-XXXX, fsync, rename over PATH, fsync the directory.
Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0644);
/// mkdir -p with the given mode for created directories.
Status make_dirs(const std::string& path, unsigned mode = 0755);
/// rm -rf that does not cross mount points; missing path is success.
Status remove_all(const std::string& path);
bool path_exists(const std::string& path);
/// True when path is a directory (following symlinks).
bool is_directory(const std::string& path);
/// Directory of the running executable (from /proc/self/exe).
std::string self_exe_dir();
/// Finds NAME beside the running executable first, then on PATH; empty if not found.
std::string find_helper_binary(const std::string& name);

}  // namespace engine::base
