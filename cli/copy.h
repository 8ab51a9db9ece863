#pragma once
/// docker cp between a container and the local filesystem, over /containers/{id}/archive.
/// Shared by `berth cp` and `berth compose cp`.
///
/// Rules (docker's): SRC or DST is CONTAINER:PATH (container paths are taken from the
/// container's "/"); "-" is a tar on stdin (SRC) or stdout (DST). A file goes into an
/// existing directory under its own name, else to the path given (a missing path ending
/// in "/" is an error). A directory goes into an existing directory under its own name,
/// or becomes the missing path; SRC ending in "/." copies the directory's contents.
#include <string>

#include "cli/api_client.h"
#include "engine/base/error.h"

namespace cli {

/// One cp argument: a container path, a local path, or "-".
struct CopyEndpoint {
  std::string container;  ///< empty for a local path
  std::string path;
  bool stdio() const { return container.empty() && path == "-"; }
};

/// Splits a cp argument as docker does: "NAME:PATH" unless the argument is an absolute
/// path, has no ':', or starts with '.' ("./file:name" is local).
CopyEndpoint parse_copy_arg(const std::string& arg);

struct CopyOptions {
  bool archive = false;      ///< -a: keep uid/gid of the copied files
  bool follow_link = false;  ///< -L: follow a symlink given as SRC
  bool quiet = false;        ///< no "Successfully copied" line
};

/// Runs one copy; throws CLI::RuntimeError (via fail) with docker's messages and exit codes.
void copy_paths(const ApiClient& api, const CopyEndpoint& src, const CopyEndpoint& dst, const CopyOptions& opts);

/// Checks that exactly one side is a container: InvalidArgument with docker's message otherwise.
engine::base::Status check_copy_args(const CopyEndpoint& src, const CopyEndpoint& dst);

}  // namespace cli
