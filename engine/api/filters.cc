#include "engine/api/filters.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace engine::api {

using namespace engine::base;

Result<Filters> Filters::parse(const std::string& raw, const std::vector<std::string>& allowed) {
  Filters out;
  if (raw.empty()) return out;
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("invalid filters: \"" + raw + "\" is not a JSON object");
  for (auto& [name, v] : j.items()) {
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      return invalid("invalid filter '" + name + "'");
    auto& dst = out.f_[name];
    if (v.is_object()) {
      for (auto& [val, on] : v.items())
        if (!on.is_boolean() || on.get<bool>()) dst.push_back(val);
    } else if (v.is_array()) {
      for (auto& val : v) {
        if (!val.is_string()) return invalid("invalid filter '" + name + "': values must be strings");
        dst.push_back(val.get<std::string>());
      }
    } else if (v.is_string()) {
      dst.push_back(v.get<std::string>());
    } else {
      return invalid("invalid filter '" + name + "'");
    }
  }
  return out;
}

const std::vector<std::string>& Filters::values(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = f_.find(name);
  return it == f_.end() ? none : it->second;
}

bool Filters::match_exact(const std::string& name, const std::string& value) const {
  auto it = f_.find(name);
  if (it == f_.end() || it->second.empty()) return true;
  return std::find(it->second.begin(), it->second.end(), value) != it->second.end();
}

bool Filters::match_substring(const std::string& name, const std::string& value) const {
  auto it = f_.find(name);
  if (it == f_.end() || it->second.empty()) return true;
  for (const auto& v : it->second)
    if (value.find(v) != std::string::npos) return true;
  return false;
}

bool Filters::match_labels(const std::map<std::string, std::string>& labels, const std::string& name) const {
  for (const auto& want : values(name)) {
    size_t eq = want.find('=');
    std::string key = want.substr(0, eq);
    auto it = labels.find(key);
    if (it == labels.end()) return false;
    if (eq != std::string::npos && it->second != want.substr(eq + 1)) return false;
  }
  return true;
}

}  // namespace engine::api
