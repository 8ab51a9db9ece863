#pragma once
/// Find stage: which files to load, the project directory, and the environment used
/// for interpolation (shell environment over env files).
#include <map>
#include <string>
#include <vector>

#include "compose/load/environment.h"
#include "compose/load/loader.h"

namespace compose::load {

/// Everything decided before the first file is parsed.
struct Resolved {
  std::string working_dir;
  std::vector<std::string> files;                 ///< absolute paths (or "-")
  std::string project_directory;
  std::map<std::string, std::string> dotenv;      ///< values from env files
  std::vector<std::string> profiles;
};

/// Applies -f / COMPOSE_FILE / search upward, --project-directory, --env-file / .env, profiles.
engine::base::Result<Resolved> resolve_inputs(const LoadOptions& opts, const Environment& shell, FileSystem& fs);

/// Default compose file in dir or its parents ("" when none); override files beside it follow.
std::vector<std::string> find_default_files(const std::string& dir, FileSystem& fs);

/// Shell environment first, then values from env files.
Environment layered(const Environment& shell, const std::map<std::string, std::string>& dotenv);

}  // namespace compose::load
