#pragma once
/// String helpers used across modules.
#include <string>
#include <string_view>
#include <vector>

namespace engine::base {

std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view s);
/// ASCII lower case.
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
/// Lowercase hex of bytes.
std::string to_hex(std::string_view bytes);
/// Percent-encodes every byte but RFC 3986 unreserved characters (for URL paths and queries).
std::string url_encode(std::string_view s);
/// Random lowercase hex string of n characters (container IDs are 64).
std::string random_hex(size_t n);

}  // namespace engine::base
