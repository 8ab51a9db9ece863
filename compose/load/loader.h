#pragma once
/// The compose loader: the public entry point of compose/load.
///
/// Phases, in order (each its own file and test): find (find.cc) -> parse (parse.cc)
/// -> interpolate (interpolate.cc) -> include (include.cc) and extends (extends.cc),
/// per file -> merge (merge.cc) -> profiles (profiles.cc) -> schema validation
/// (schema/) -> normalize (normalize*.cc) -> semantic validation (validate.cc) ->
/// typed model (compose/model). Errors of a phase are collected, sorted and returned
/// together, one per line: `compose.yaml:12:7: services.web.ports[0]: reason`.
#include <string>
#include <vector>

#include "compose/load/environment.h"
#include "compose/load/node.h"
#include "compose/model/project.h"
#include "engine/base/error.h"

namespace compose::load {

/// What the user asked for on the command line (env fallbacks are applied by the loader).
struct LoadOptions {
  std::vector<std::string> files;          ///< -f (repeatable, "-" = stdin); empty: COMPOSE_FILE or search
  std::string project_name;                ///< -p; empty: COMPOSE_PROJECT_NAME, name:, directory
  std::string project_directory;           ///< --project-directory; empty: folder of the first file
  std::vector<std::string> env_files;      ///< --env-file (repeatable); empty: <project dir>/.env
  std::vector<std::string> profiles;       ///< --profile; empty: COMPOSE_PROFILES
  std::vector<std::string> services;       ///< services named on the command line (switch their profiles on)
  bool no_interpolate = false;             ///< keep ${...} as written
  bool no_normalize = false;               ///< skip short->long syntax normalization
  bool no_validate = false;                ///< skip schema and semantic checks
  bool resolve_paths = true;               ///< make relative paths absolute
  std::string working_dir;                 ///< where -f paths and the search start; empty: cwd
};

/// The loaded project as the untyped canonical tree plus what was resolved on the way.
struct LoadedTree {
  Node root;                               ///< canonical tree (name, services, networks, ...)
  std::string project_name;
  std::string project_directory;
  std::vector<std::string> files;          ///< absolute paths of the loaded files
  std::vector<std::string> profiles;       ///< active profiles
  std::vector<std::string> warnings;       ///< what docker compose warns about (unset variables, version:)
};

/// Runs every phase and returns the canonical tree (what `compose config` prints).
engine::base::Result<LoadedTree> load_tree(const LoadOptions& opts, const Environment& env, FileSystem& fs);

/// Runs every phase and binds the typed model.
engine::base::Result<model::Project> load_project(const LoadOptions& opts, const Environment& env, FileSystem& fs);

/// load_project with the process environment and the real disk.
engine::base::Result<model::Project> load_project(const LoadOptions& opts);

/// Normalizes a project name: lowercase, only [a-z0-9_-], starting with a letter or digit.
std::string normalize_project_name(const std::string& name);

}  // namespace compose::load
