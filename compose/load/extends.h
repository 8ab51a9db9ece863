#pragma once
/// Extends stage: a service with `extends: {service, file}` starts from the named service
/// (same file or another, chained, cycles reported) and the service's own keys merge over
/// it with the usual merge rules. Relative paths of a service taken from another file are
/// resolved against that file's folder.
#include <functional>
#include <string>

#include "compose/load/node.h"
#include "engine/base/error.h"

namespace compose::load {

/// Loads (parses and interpolates) another compose file for extends; results may be cached.
using FileLoader = std::function<engine::base::Result<Node>(const std::string& path)>;

/// Resolves every `extends` in root (the tree of `file`) in place.
void apply_extends(Node& root, const std::string& file, const FileLoader& load, const std::string& home,
                   Diagnostics& diags);

}  // namespace compose::load
