#pragma once
/// Durations and byte sizes as compose writes them: "1m30s", "500ms", "1.5h" and
/// "512m", "1gb", "100k" (binary multiples), printed the way docker compose prints them.
#include <cstdint>
#include <optional>
#include <string>

namespace compose::model {

/// Parses a Go-style duration ("1h2m3.5s", "500ms", "10us"); a bare number is seconds.
std::optional<int64_t> parse_duration(const std::string& s);
/// Formats nanoseconds like Go's time.Duration: "1m30s", "500ms", "0s", "1h0m0s".
std::string format_duration(int64_t ns);
/// Parses a size ("512m", "1g", "1.5gb", "2048"); units are powers of 1024.
std::optional<int64_t> parse_bytes(const std::string& s);

}  // namespace compose::model
