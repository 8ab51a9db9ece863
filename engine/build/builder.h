#pragma once
/// Builder: runs a parsed Dockerfile against the image store and produces an image.
///
/// Each stage starts from its base image's (or an earlier stage's) config and layers; COPY
/// --from reads an earlier stage or another image without mounting it (layer_view.h); the
/// build stops after the --target stage. Metadata instructions change
/// the config; RUN runs through a RunFn (the daemon runs a berth container on the current
/// layers whose overlay upper dir becomes the new layer); COPY/ADD stage context files and
/// tar them into a layer. Steps are cached by (previous step key, expanded instruction,
/// copied content) in <work_root>/cache.json.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/service.h"
#include "engine/runtime/spec.h"

namespace engine::build {

/// One RUN to execute: the caller fills upper_dir with the changes the command makes.
struct RunRequest {
  std::vector<std::string> lowerdirs;  ///< image layers, top first
  std::string upper_dir;               ///< empty directory that becomes the new layer
  std::vector<std::string> argv;
  std::vector<std::string> env;  ///< "K=V" (config env plus ARGs)
  std::string working_dir;
  std::string user;
  std::vector<runtime::MountSpec> mounts;  ///< RUN --mount=type=cache directories
};

/// Runs a RUN command to completion; returns its exit code.
using RunFn = std::function<base::Result<int>(const RunRequest&)>;
/// Receives build output lines ("Step 1/5 : FROM busybox\n").
using OutputFn = std::function<void(const std::string&)>;

/// Options of one build (the POST /build query).
struct BuildOptions {
  std::string dockerfile = "Dockerfile";  ///< path inside the context
  std::vector<std::string> tags;
  std::map<std::string, std::string> build_args;
  bool no_cache = false;
  std::string target;  ///< stop after this stage (name or index); empty = the last stage
  bool pull = false;   ///< pull FROM images even when present (missing ones are always pulled)
  std::string platform;  ///< for pulled images; empty = linux/amd64
};

/// Resolves an image reference, pulling it when it is not stored (or always, with opts.pull,
/// for opts.platform). The default one pulls through ImageService::pull; tests inject their own.
using ImageSourceFn = std::function<base::Result<image::Image>(const std::string& ref, const BuildOptions& opts)>;

class Builder {
 public:
  /// WORK_ROOT holds the step cache and temporary upper/staging dirs.
  Builder(image::ImageService& images, std::string work_root, RunFn run);
  /// Replaces how FROM/COPY --from images are found (default: resolve, else pull).
  void set_image_source(ImageSourceFn fn) { source_ = std::move(fn); }
  /// Builds from an unpacked context directory; returns the final image.
  base::Result<image::Image> build(const std::string& context_dir, const BuildOptions& opts, const OutputFn& out);

 private:
  image::ImageService& images_;
  std::string work_root_;
  RunFn run_;
  ImageSourceFn source_;
};

}  // namespace engine::build
