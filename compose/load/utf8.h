#pragma once
/// UTF-8 validation: compose files and env files must be valid UTF-8 (as YAML and JSON require).
#include <cstddef>
#include <string_view>

namespace compose::load {

/// Offset of the first byte that does not start a well-formed UTF-8 sequence, or npos.
size_t first_invalid_utf8(std::string_view s);

}  // namespace compose::load
