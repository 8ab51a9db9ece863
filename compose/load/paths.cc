#include "compose/load/paths.h"

#include <vector>

#include "engine/base/strings.h"

namespace compose::load {

std::string clean_path(const std::string& p) {
  bool abs = !p.empty() && p[0] == '/';
  std::vector<std::string> out;
  for (const std::string& seg : engine::base::split(p, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty() && out.back() != "..") out.pop_back();
      else if (!abs) out.push_back(seg);
      continue;
    }
    out.push_back(seg);
  }
  std::string r = engine::base::join(out, "/");
  if (abs) return "/" + r;
  return r.empty() ? "." : r;
}

std::string join_path(const std::string& base, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return clean_path(rel);
  return clean_path(base + "/" + rel);
}

std::string dir_name(const std::string& p) {
  std::string c = clean_path(p);
  size_t s = c.rfind('/');
  if (s == std::string::npos) return ".";
  if (s == 0) return "/";
  return c.substr(0, s);
}

std::string base_name(const std::string& p) {
  std::string c = clean_path(p);
  size_t s = c.rfind('/');
  return s == std::string::npos ? c : c.substr(s + 1);
}

std::string absolute_path(const std::string& base, const std::string& p, const std::string& home) {
  if (p == "~") return clean_path(home);
  if (p.rfind("~/", 0) == 0) return join_path(home, p.substr(2));
  return join_path(base, p);
}

}  // namespace compose::load
