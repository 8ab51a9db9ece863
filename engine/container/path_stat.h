#pragma once
/// The stat docker cp exchanges in the X-Docker-Container-Path-Stat header:
/// base64 of {"name","size","mode","mtime","linkTarget"}, mode in Go's os.FileMode bits.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "engine/base/error.h"

namespace engine::container {

/// Go os.FileMode type bits (the high bits of "mode").
inline constexpr uint32_t kGoModeDir = 1u << 31;
inline constexpr uint32_t kGoModeSymlink = 1u << 27;

struct PathStat {
  std::string name;         ///< base name of the path asked for
  int64_t size = 0;
  uint32_t mode = 0;        ///< Go os.FileMode: permission bits | type bits
  int64_t mtime_ns = 0;
  std::string link_target;  ///< for a symlink: the path it resolves to inside the container

  bool is_dir() const { return (mode & kGoModeDir) != 0; }
  bool is_symlink() const { return (mode & kGoModeSymlink) != 0; }
};

/// Go os.FileMode of a stat st_mode.
uint32_t go_file_mode(mode_t m);
/// The header value: base64 of the JSON object.
std::string path_stat_header(const PathStat& s);
/// Parses a header value; InvalidArgument when it is not base64 JSON of that shape.
base::Result<PathStat> parse_path_stat_header(const std::string& value);

}  // namespace engine::container
