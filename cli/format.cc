#include "cli/format.h"

#include <algorithm>
#include <vector>

#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace cli {

using nlohmann::json;

static std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<no value>";
  return v.dump();
}

static const json* lookup(const json& j, const std::string& path) {
  const json* cur = &j;
  if (path == "." || path.empty()) return cur;
  for (const auto& part : engine::base::split(path.substr(1), '.')) {
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
  }
  return cur;
}

std::string render_format(const std::string& tmpl, const json& j) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string::npos) {
      out += tmpl.substr(pos);
      break;
    }
    out += tmpl.substr(pos, open - pos);
    size_t close = tmpl.find("}}", open);
    if (close == std::string::npos) {
      out += tmpl.substr(open);
      break;
    }
    std::string action(engine::base::trim(tmpl.substr(open + 2, close - open - 2)));
    bool as_json = false;
    if (action.rfind("json ", 0) == 0) {
      as_json = true;
      action = std::string(engine::base::trim(action.substr(5)));
    }
    const json* v = lookup(j, action);
    if (!v) out += as_json ? "null" : "<no value>";
    else out += as_json ? v->dump() : value_text(*v);
    pos = close + 2;
  }
  // docker adds the newline itself after each rendered item
  return out;
}

std::string short_id(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 12);
}

std::string ports_text(const nlohmann::json& ports) {
  std::vector<std::string> out;
  for (const auto& p : ports) {
    std::string proto = p.value("Type", "tcp");
    std::string priv = std::to_string(p.value("PrivatePort", 0)) + "/" + proto;
    if (p.contains("PublicPort") && p["PublicPort"].is_number() && p["PublicPort"].get<int>() != 0)
      out.push_back(p.value("IP", "0.0.0.0") + ":" + std::to_string(p["PublicPort"].get<int>()) + "->" + priv);
    else
      out.push_back(priv);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::string s;
  for (const auto& o : out) s += (s.empty() ? "" : ", ") + o;
  return s;
}

std::string ago(int64_t unix_seconds) {
  int64_t now = engine::base::now_ns();
  return engine::base::human_duration(now - unix_seconds * 1000000000LL) + " ago";
}

std::string ellipsis(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  return s.substr(0, n - 1) + "\xe2\x80\xa6";
}

}  // namespace cli
