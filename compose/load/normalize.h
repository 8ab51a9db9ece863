#pragma once
/// Normalize stage: rewrites the merged tree to the canonical long forms that
/// `docker compose config` prints (ports, volumes, environment, depends_on, healthcheck,
/// durations, sizes, networks, build, resource names, absolute paths).
#include <string>

#include "compose/load/environment.h"
#include "compose/load/node.h"

namespace compose::load {

/// What normalization needs besides the tree.
struct NormalizeContext {
  std::string project_name;
  std::string project_directory;  ///< relative paths are resolved against it
  std::string home;               ///< for ~ in paths
  const Environment* env = nullptr;  ///< values for `environment: [NAME]` and env files
  FileSystem* fs = nullptr;          ///< reads env_file
  bool resolve_paths = true;
};

/// Normalizes the whole project tree in place; bad values are added to diags.
void normalize_project(Node& root, const NormalizeContext& ctx, Diagnostics& diags);

/// Normalizes one service (services.<name>) in place.
void normalize_service(Node& svc, const std::string& name, const NormalizeContext& ctx, Diagnostics& diags);

/// Makes the relative paths of a service absolute against dir (build context, env_file,
/// bind sources, extends.file); used for included and extended files before merging.
void resolve_service_paths(Node& svc, const std::string& dir, const std::string& home);

}  // namespace compose::load
