#pragma once
/// The per-name loops that inspect and rm verbs share (networks, volumes, images): one request
/// per name, a daemon error printed for each failing one, exit code 1 when any failed.
#include <functional>
#include <string>
#include <vector>

#include "cli/api_client.h"

namespace cli {

/// The API path for one object name (already URL-encoded by the caller's function).
using PathOf = std::function<std::string(const std::string& name)>;

/// GETs each name's path and prints the results as a JSON array (docker's inspect output),
/// or one rendered line per object when format is a template. Throws CLI::RuntimeError(1)
/// after printing when any name failed.
void inspect_objects(ApiClient& api, const std::vector<std::string>& names, const PathOf& path_of,
                     const std::string& format = {});

/// DELETEs each name's path and prints the name of each one removed. Throws
/// CLI::RuntimeError(1) after the loop when any name failed.
void remove_objects(ApiClient& api, const std::vector<std::string>& names, const PathOf& path_of);

}  // namespace cli
