#pragma once
/// Secrets and configs of a service as files bound read-only into its containers. A file
/// source without uid/gid/mode is bound as it is; every other one (an `environment` source,
/// inline `content`, or uid/gid/mode asked for) is written by compose, client side, under
/// the project's directory (<base>/<project>/...) with its mode (default 0444) and owner,
/// and that copy is bound. `down` removes the directory.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose/model/project.h"
#include "compose/plan/engine_client.h"
#include "engine/base/error.h"

namespace compose::plan {

/// One secret or config of a service as its containers see it.
struct FileMount {
  std::string kind;         ///< "secrets" or "configs"
  std::string source;       ///< key under the top-level secrets:/configs:
  std::string target;       ///< absolute path in the container
  std::string host_path;    ///< the file bound read-only
  bool written = false;     ///< compose writes host_path (else it is the file source itself)
  std::string file_source;  ///< file: source ("" for environment/content)
  std::string env_var;      ///< environment: source
  std::optional<std::string> content;  ///< content: source (configs)
  uint32_t mode = 0444;
  int64_t uid = -1, gid = -1;  ///< -1: unchanged (root)
};

/// The directory compose writes a project's files to: <base>/<project>.
std::string project_files_dir(const std::string& base, const model::Project& p);
/// Every secret and config of `s` with its source and target (pure). `dir` is
/// project_files_dir(); when empty, a mount that must be written is an error.
engine::base::Result<std::vector<FileMount>> file_mounts(const model::Project& p, const model::Service& s,
                                                         const std::string& dir);
/// Writes the mounts compose materializes (content from the file, the environment or
/// inline), atomically, with mode and owner. Errors name the secret or config.
engine::base::Status write_file_mounts(const std::vector<FileMount>& mounts, const EnvLookup& env);

}  // namespace compose::plan
