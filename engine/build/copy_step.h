#pragma once
/// COPY and ADD: staging their sources into a directory that becomes the step's layer.
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/build/chown.h"
#include "engine/build/dockerfile.h"

namespace engine::build {

/// One COPY/ADD, flags already resolved.
struct CopySpec {
  std::vector<std::string> sources;  ///< as written: globs relative to src_root, or URLs (ADD)
  std::string dest;                  ///< as written; relative to workdir unless absolute
  std::string workdir;               ///< the stage's WORKDIR
  std::string src_root;              ///< build context, or a flattened --from stage/image
  bool add = false;                  ///< ADD: unpack local archives, download URLs
  std::optional<Owner> owner;        ///< --chown; else 0:0 (when running as root)
  std::optional<unsigned> mode;      ///< --chmod, applied to what was copied
};

/// Stages the sources into staging/<dest>. Every entry then gets a fixed mtime (so equal
/// content gives an equal layer and cache key), except downloads, which keep Last-Modified.
base::Status stage_copy(const Instruction& ins, const CopySpec& spec, const std::string& staging);

/// A digest of what the COPY/ADD would copy (each source's relative paths, types, modes,
/// contents and link targets), so a cached step is recognised without staging anything;
/// nullopt when it cannot be known without fetching (ADD of a URL).
base::Result<std::optional<std::string>> source_digest(const Instruction& ins, const CopySpec& spec);

/// Gives dir and everything beneath it mtime 0 (the layer tar is then a function of content).
void settle_dir_times(const std::string& dir);

}  // namespace engine::build
