#include "engine/base/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "engine/base/time.h"

namespace engine::base {

static std::atomic<LogLevel> g_level{LogLevel::Info};

void set_log_level(LogLevel level) { g_level = level; }

LogLevel parse_log_level(std::string_view s, LogLevel fallback) {
  if (s == "debug") return LogLevel::Debug;
  if (s == "info") return LogLevel::Info;
  if (s == "warn" || s == "warning") return LogLevel::Warn;
  if (s == "error") return LogLevel::Error;
  return fallback;
}

void log(LogLevel level, std::string_view msg) {
  if (level < g_level.load()) return;
  static constexpr std::string_view names[] = {"debug", "info", "warn", "error"};
  std::string line = format_rfc3339_nano(now_ns());
  line += " level=";
  line += names[static_cast<int>(level)];
  line += ' ';
  line += msg;
  line += '\n';
  // One write(2) per line keeps lines whole across threads and processes.
  ssize_t r = ::write(2, line.data(), line.size());
  (void)r;
}

}  // namespace engine::base
