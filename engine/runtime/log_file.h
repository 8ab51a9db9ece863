#pragma once
/// Reader for the json-file log the shim writes (Docker's format, one JSON object a line:
/// {"log":"...","stream":"stdout|stderr","time":"RFC 3339 nano"}), across rotated files
/// (PATH.N ... PATH.1, then PATH), with tail/since/until filters and follow.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::runtime {

struct LogEntry {
  std::string stream;  ///< "stdout" or "stderr"
  int64_t time_ns = 0;
  std::string line;    ///< as written, including its trailing newline if it had one
};

struct LogReadOptions {
  bool stdout_stream = true;
  bool stderr_stream = true;
  int64_t since_ns = 0;  ///< 0 = from the start
  int64_t until_ns = 0;  ///< 0 = no end
  int tail = -1;         ///< last N entries; -1 = all
};

/// Parses one log line; InvalidArgument on malformed JSON.
base::Result<LogEntry> parse_log_line(const std::string& json_line);

/// Reads every entry of PATH and its rotated files (oldest first), filtered. A missing log is empty.
base::Result<std::vector<LogEntry>> read_log(const std::string& path, const LogReadOptions& opts = {});

/// Follows PATH from its current end (or from OFFSET): next() returns entries appended since the
/// last call, waiting up to timeout_ms; it reopens the file after a rotation.
class LogFollower {
 public:
  explicit LogFollower(std::string path, bool from_start = false);
  base::Result<std::vector<LogEntry>> next(int timeout_ms);

 private:
  std::string path_;
  uint64_t offset_ = 0;
  uint64_t inode_ = 0;
  std::string partial_;
};

}  // namespace engine::runtime
