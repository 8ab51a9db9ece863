#include "engine/api/router.h"

#include <cstdlib>

#include "engine/base/strings.h"

namespace engine::api {

void Router::add(Route r) { routes_.push_back(std::move(r)); }

int compare_api_versions(std::string_view a, std::string_view b) {
  auto pa = engine::base::split(a, '.');
  auto pb = engine::base::split(b, '.');
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    long x = i < pa.size() ? std::atol(pa[i].c_str()) : 0;
    long y = i < pb.size() ? std::atol(pb[i].c_str()) : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

static bool is_version_segment(std::string_view seg) {
  if (seg.size() < 2 || seg[0] != 'v') return false;
  bool dot = false;
  for (char c : seg.substr(1)) {
    if (c == '.') dot = true;
    else if (c < '0' || c > '9') return false;
  }
  return dot;
}

static bool match_pattern(std::string_view pattern, std::string_view path,
                          std::map<std::string, std::string>& params) {
  auto ps = engine::base::split(pattern.substr(1), '/');
  auto xs = engine::base::split(path.substr(1), '/');
  size_t i = 0;
  for (; i < ps.size(); ++i) {
    const std::string& p = ps[i];
    if (p.size() > 3 && p.front() == '{' && p.substr(p.size() - 2) == "*}") {
      // Greedy: as many segments as leave the pattern's fixed tail matching (image names have slashes).
      size_t tail = ps.size() - i - 1;
      if (xs.size() < i + 1 + tail) return false;
      for (size_t k = 0; k < tail; ++k)
        if (ps[i + 1 + k] != xs[xs.size() - tail + k]) return false;
      std::vector<std::string> mid(xs.begin() + long(i), xs.end() - long(tail));
      std::string value = engine::base::join(mid, "/");
      if (value.empty()) return false;
      params[p.substr(1, p.size() - 3)] = value;
      return true;
    }
    if (i >= xs.size()) return false;
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (xs[i].empty()) return false;
      params[p.substr(1, p.size() - 2)] = xs[i];
    } else if (p != xs[i]) {
      return false;
    }
  }
  return i == xs.size();
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  m.api_version = std::string(kApiVersion);
  if (path.empty() || path[0] != '/') {
    m.status = 400;
    m.message = "malformed request path";
    return m;
  }
  size_t slash = path.find('/', 1);
  std::string_view first = path.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
  if (is_version_segment(first)) {
    std::string v(first.substr(1));
    if (compare_api_versions(v, kApiVersion) > 0) {
      m.status = 400;
      m.message = "client version " + v + " is too new. Maximum supported API version is " + std::string(kApiVersion);
      return m;
    }
    if (compare_api_versions(v, kMinApiVersion) < 0) {
      m.status = 400;
      m.message = "client version " + v + " is too old. Minimum supported API version is " +
                  std::string(kMinApiVersion) + ", please upgrade your client to a newer version";
      return m;
    }
    m.api_version = v;
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  bool path_known = false;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match_pattern(r.pattern, path, params)) continue;
    path_known = true;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) continue;
    m.route = &r;
    m.params = std::move(params);
    return m;
  }
  m.status = path_known ? 405 : 404;
  m.message = path_known ? "method not allowed" : "page not found";
  return m;
}

}  // namespace engine::api
