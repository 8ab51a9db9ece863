#pragma once
/// Short -> long syntax conversions used by the normalize stage, one function per form.
/// Each takes the source node (for locations) and reports problems to diags.
#include <string>
#include <vector>

#include "compose/load/node.h"

namespace compose::load {

/// "8080:80/udp", "127.0.0.1:8000-8001:80-81", 80 or a long-syntax mapping -> long entries.
std::vector<Node> port_long(const Node& n, const std::string& path, Diagnostics& diags);
/// "./data:/data:ro", "vol:/x", "/x" or a mapping -> long entry (source made absolute by resolve).
Node volume_long(const Node& n, const std::string& path, const std::string& base, const std::string& home,
                 bool resolve, Diagnostics& diags);
/// Splits a command string like a POSIX shell (quotes, backslashes); false on an open quote.
bool shell_split(const std::string& s, std::vector<std::string>& out);
/// "1m30s" / 90 -> "1m30s" (Go format); adds an error and returns the input when invalid.
Node duration_node(const Node& n, const std::string& path, Diagnostics& diags);
/// "512m" / 1024 -> integer bytes; adds an error when invalid.
Node bytes_node(const Node& n, const std::string& path, Diagnostics& diags);
/// List of "K=V" / "K" or a mapping -> mapping of strings (null for missing values).
Node string_map(const Node& n, const std::string& path, Diagnostics& diags, char sep = '=');
/// Scalar rendered as a compose string value (true -> "true", 1 -> "1").
std::string scalar_string(const Node& n);

}  // namespace compose::load
