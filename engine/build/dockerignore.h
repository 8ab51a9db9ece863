#pragma once
/// .dockerignore: which build-context paths are left out of the build.
#include <string>
#include <string_view>
#include <vector>

namespace engine::build {

/// A parsed .dockerignore; later rules win, "!pattern" re-includes.
class IgnoreRules {
 public:
  /// Parses .dockerignore text (comments, blank lines, leading "/" and "./" ignored).
  static IgnoreRules parse(std::string_view text);
  /// True when the context-relative path ("dir/file") is excluded. A rule that matches a
  /// parent directory excludes everything beneath it; "**" matches any number of directories.
  bool ignored(std::string_view path) const;

 private:
  struct Rule {
    std::vector<std::string> segments;
    bool negate = false;
  };
  std::vector<Rule> rules_;
};

}  // namespace engine::build
