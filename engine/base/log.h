#pragma once
/// Minimal leveled logging to stderr. The level lives in a Logger passed by the
/// daemon's context; free functions use the process default for tools and tests.
#include <string_view>

namespace engine::base {

enum class LogLevel { Debug, Info, Warn, Error };

/// Sets the minimum level printed by log() (default Info).
void set_log_level(LogLevel level);
LogLevel parse_log_level(std::string_view s, LogLevel fallback = LogLevel::Info);
/// Writes "2026-11-28T06:30:00.123Z level=info msg" to stderr, one line, thread-safe.
void log(LogLevel level, std::string_view msg);
inline void log_debug(std::string_view m) { log(LogLevel::Debug, m); }
inline void log_info(std::string_view m) { log(LogLevel::Info, m); }
inline void log_warn(std::string_view m) { log(LogLevel::Warn, m); }
inline void log_error(std::string_view m) { log(LogLevel::Error, m); }

}  // namespace engine::base
