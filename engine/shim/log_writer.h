#pragma once
/// Docker's json-file log, written by the shim: one JSON object per line,
///   {"log":"hello\n","stream":"stdout","time":"2026-11-28T06:30:00.123456789Z"}
/// Output is split at newlines (a line longer than 16 KiB is cut into partial entries);
/// with max_size the file rotates to PATH.1 ... PATH.(max_file-1).
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/unique_fd.h"

namespace engine::shim {

class LogWriter {
 public:
  /// Opens (appends to) PATH; an empty path disables logging.
  LogWriter(std::string path, int64_t max_size, int max_file);
  /// Feeds raw output of STREAM ("stdout"/"stderr"); complete lines are written at once.
  void feed(std::string_view stream, std::string_view data);
  /// Writes out any partial lines (at exit).
  void flush();
  /// Writes one entry directly (used for the runtime's own error lines).
  void write_entry(std::string_view stream, std::string_view line);

 private:
  void rotate();
  void open_file();
  std::string path_;
  int64_t max_size_;
  int max_file_;
  int64_t size_ = 0;
  base::UniqueFd fd_;
  std::string partial_[2];
};

/// Appends S to OUT as a JSON string body (no quotes), escaping per RFC 8259.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace engine::shim
