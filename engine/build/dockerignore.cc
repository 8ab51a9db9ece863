#include "engine/build/dockerignore.h"

#include <fnmatch.h>

namespace engine::build {
namespace {

std::vector<std::string> split_path(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view seg = p.substr(i, j - i);
    if (!seg.empty() && seg != ".") out.emplace_back(seg);
    i = j + 1;
  }
  return out;
}

/// Matches pattern segments against a prefix-closed path: true if the pattern matches
/// path[0..k) for some k (so a matched directory covers its contents).
bool match(const std::vector<std::string>& pat, size_t pi, const std::vector<std::string>& path, size_t si) {
  if (pi == pat.size()) return si > 0;  // matched a (non-empty) prefix of the path
  if (pat[pi] == "**") {
    for (size_t k = si; k <= path.size(); ++k)
      if (match(pat, pi + 1, path, k)) return true;
    return false;
  }
  if (si == path.size()) return false;
  if (fnmatch(pat[pi].c_str(), path[si].c_str(), 0) != 0) return false;
  return match(pat, pi + 1, path, si + 1);
}

}  // namespace

IgnoreRules IgnoreRules::parse(std::string_view text) {
  IgnoreRules rules;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    Rule r;
    if (line.front() == '!') {
      r.negate = true;
      line.remove_prefix(1);
    }
    r.segments = split_path(line);
    if (!r.segments.empty()) rules.rules_.push_back(std::move(r));
  }
  return rules;
}

bool IgnoreRules::ignored(std::string_view path) const {
  auto segs = split_path(path);
  if (segs.empty()) return false;
  bool out = false;
  for (const auto& r : rules_)
    if (match(r.segments, 0, segs, 0)) out = !r.negate;
  return out;
}

}  // namespace engine::build
