#pragma once
/// Include stage: top-level `include:` entries (a path, or {path, project_directory,
/// env_file}) load other compose projects whose resources join this one. A resource
/// defined both here and in an included project is an error.
#include <functional>
#include <string>
#include <vector>

#include "compose/load/node.h"
#include "engine/base/error.h"

namespace compose::load {

/// One include entry with its paths made absolute.
struct IncludeSpec {
  std::vector<std::string> paths;
  std::string project_directory;
  std::vector<std::string> env_files;
  Mark mark;
};

/// Loads an included project (merged files, paths resolved against its project directory).
using IncludeLoader = std::function<engine::base::Result<Node>(const IncludeSpec&)>;

/// Replaces root's `include:` by the resources of the included projects.
void apply_include(Node& root, const std::string& file, const IncludeLoader& load, Diagnostics& diags);

}  // namespace compose::load
