#pragma once
/// Small output helpers shared by the verbs: Go-template-like --format paths
/// ("{{.State.Status}}", "{{json .Config}}"), short IDs and relative times.
#include <string>

#include <nlohmann/json.hpp>

namespace cli {

/// Renders a template of literal text and {{.A.B}} / {{json .A}} / {{.}} actions against j.
std::string render_format(const std::string& tmpl, const nlohmann::json& j);
/// First 12 characters of an ID without its "sha256:" prefix.
std::string short_id(const std::string& id);
/// "127.0.0.1:8080->80/tcp, 9000/udp" from an API Ports array, as docker ps prints them.
std::string ports_text(const nlohmann::json& ports);
/// "5 seconds ago" from a Unix time in seconds.
std::string ago(int64_t unix_seconds);
/// Truncates to n characters with "…", as docker ps does for commands.
std::string ellipsis(const std::string& s, size_t n);

}  // namespace cli
