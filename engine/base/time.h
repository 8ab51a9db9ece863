#pragma once
/// Wall-clock helpers in Docker's formats.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace engine::base {

/// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
int64_t now_ns();
/// "2026-11-28T06:30:00.123456789Z" (RFC 3339 with nanoseconds, UTC), as Docker's logs use.
std::string format_rfc3339_nano(int64_t ns);
/// Parses RFC 3339 (with optional fraction and Z or +hh:mm offset) to ns since epoch.
Result<int64_t> parse_rfc3339(std::string_view s);
/// Go-style duration ("1m30s", "500ms", "2h", "1.5s") to nanoseconds.
Result<int64_t> parse_duration(std::string_view s);
/// "0001-01-01T00:00:00Z" for 0, as Docker prints unset times.
std::string format_docker_time(int64_t ns);
/// Docker's human age: "Less than a second", "2 minutes", "About an hour", ...
std::string human_duration(int64_t ns);

}  // namespace engine::base
