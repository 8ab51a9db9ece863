#pragma once
/// Prints canonical JSON as YAML the way `docker compose config` does: block style,
/// project keys first (name, services, networks, volumes, secrets, configs), then
/// sorted keys; strings that would read back as another type are quoted.
#include <string>

#include <nlohmann/json.hpp>

namespace compose::model {

/// True when a string would read back as another type (null, bool, number, ...): such
/// strings are written double-quoted.
bool looks_typed(const std::string& s);

/// YAML text of a project (or any JSON value), ending with a newline.
std::string to_yaml(const nlohmann::json& j);

}  // namespace compose::model
