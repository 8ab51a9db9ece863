#include "compose/model/yaml_emit.h"

#include <cmath>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace compose::model {
namespace {

bool looks_typed(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
                                 "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                                 "y", "Y", "n", "N", ".inf", ".nan", "-.inf", "+.inf"};
  for (const char* w : kWords)
    if (s == w) return true;
  // Anything that starts like a number may be read back as one.
  char c = s[0];
  if ((c >= '0' && c <= '9') || ((c == '-' || c == '+' || c == '.') && s.size() > 1)) {
    bool numeric = true;
    for (char ch : s)
      if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E' || ch == 'x' ||
            ch == 'o' || ch == '_' || ch == ':' || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
        numeric = false;
    if (numeric) return true;
  }
  return false;
}

void emit(YAML::Emitter& out, const nlohmann::json& j, bool top);

void emit_map(YAML::Emitter& out, const nlohmann::json& j, bool top) {
  if (j.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
    return;
  }
  std::vector<std::string> keys;
  if (top)
    for (const char* k : {"name", "services", "networks", "volumes", "secrets", "configs"})
      if (j.contains(k)) keys.push_back(k);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (top && (it.key() == "name" || it.key() == "services" || it.key() == "networks" || it.key() == "volumes" ||
                it.key() == "secrets" || it.key() == "configs"))
      continue;
    keys.push_back(it.key());
  }
  out << YAML::BeginMap;
  for (const std::string& k : keys) {
    out << YAML::Key << k << YAML::Value;
    emit(out, j.at(k), false);
  }
  out << YAML::EndMap;
}

void emit(YAML::Emitter& out, const nlohmann::json& j, bool top) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      emit_map(out, j, top);
      return;
    case nlohmann::json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& v : j) emit(out, v, false);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (looks_typed(s)) out << YAML::DoubleQuoted << s;
      else out << s;
      return;
    }
    case nlohmann::json::value_t::boolean:
      out << (j.get<bool>() ? "true" : "false");
      return;
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      return;
    case nlohmann::json::value_t::number_float: {
      double d = j.get<double>();
      if (std::floor(d) == d && std::fabs(d) < 1e15) out << static_cast<long long>(d);
      else out << j.dump();
      return;
    }
    default:
      out << j.dump();
      return;
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  emit(out, j, j.is_object());
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

}  // namespace compose::model
