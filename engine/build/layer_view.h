#pragma once
/// Reading an image's filesystem from its unpacked layers without mounting them: the
/// source of COPY --from and of the /etc/passwd lookups of --chown. Layers hold overlay
/// whiteouts (0/0 character devices, trusted.overlay.opaque directories), which hide what
/// the layers below have.
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::build {

/// A stack of unpacked layer directories, top layer first (overlay lowerdir order).
class LayerView {
 public:
  explicit LayerView(std::vector<std::string> top_first) : layers_(std::move(top_first)) {}
  /// Host path of the regular file at REL ("etc/passwd") in the merged view, if any.
  std::optional<std::string> find_file(const std::string& rel) const;
  /// Contents of the regular file at REL, or "" when it is missing.
  std::string read_file(const std::string& rel) const;
  /// Writes the merged tree at REL (file, symlink or directory) to dest_root/REL,
  /// applying whiteouts; a path present in no layer is simply not written.
  base::Status flatten(const std::string& rel, const std::string& dest_root) const;

 private:
  std::vector<std::string> layers_;
};

/// The part of a COPY source before its first glob character, cut at a '/' ("/app/*.txt" -> "/app").
std::string glob_free_prefix(const std::string& pattern);

}  // namespace engine::build
