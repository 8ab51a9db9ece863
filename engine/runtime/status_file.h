#pragma once
/// <bundle>/status: what berth-shim records about its container, as "key=value" lines
/// (written atomically by the shim, read by LinuxRuntime, also after the shim exited).
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace engine::runtime {

struct ShimStatus {
  std::string status = "created";  ///< created | running | stopped
  int pid = 0;                     ///< container init pid (host view)
  int shim_pid = 0;
  int exit_code = 0;
  bool oom_killed = false;
  int64_t started_at_ns = 0;
  int64_t finished_at_ns = 0;
  std::string error;               ///< start/exec error, one line
};

/// "status=running\npid=123\n..." (newlines in error become spaces).
std::string format_status(const ShimStatus& s);
base::Result<ShimStatus> parse_status(const std::string& text);
/// Writes the file atomically (temp + rename, no fsync: it is rewritten on every change).
base::Status write_status(const std::string& path, const ShimStatus& s);
base::Result<ShimStatus> read_status(const std::string& path);
/// Writes a bundle file atomically (temp + rename) without fsync: bundle files are rebuilt
/// from berthd's own state, so they need atomicity, not durability.
base::Status write_file_nosync(const std::string& path, std::string_view data, unsigned mode = 0644);

}  // namespace engine::runtime
