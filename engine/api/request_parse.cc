#include "engine/api/request_parse.h"

#include <cctype>

#include "engine/base/strings.h"

namespace engine::api {

void configure_parser(HttpRequestParser& p) {
  p.header_limit(kHeaderLimit);
  p.body_limit(kDefaultBodyLimit);
}

std::string target_path(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}
}  // namespace

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Request make_request(HttpRequest&& msg, const Router::Match& match) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  size_t qpos = req.target.find('?');
  std::string path = req.target.substr(0, qpos);
  req.api_version = match.api_version;
  req.params = match.params;
  // Path without the version prefix, for handlers and logs.
  if (path.size() > 2 && path[1] == 'v' && std::isdigit(static_cast<unsigned char>(path[2]))) {
    size_t slash = path.find('/', 1);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  req.path = path;
  if (qpos != std::string::npos) {
    for (const auto& kv : engine::base::split(std::string_view(req.target).substr(qpos + 1), '&')) {
      if (kv.empty()) continue;
      size_t eq = kv.find('=');
      req.query.emplace(url_decode(kv.substr(0, eq)), eq == std::string::npos ? "" : url_decode(kv.substr(eq + 1)));
    }
  }
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(f.value());
  }
  req.body = std::move(msg.body());
  return req;
}

}  // namespace engine::api
