#include "compose/model/yaml_emit.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "compose/model/parallel.h"

namespace compose::model {

bool looks_typed(std::string_view s) {
  if (s.empty()) return true;
  // Every word below is at most 5 characters and starts with one of these.
  if (s.size() <= 5 && std::string_view("~nNtTfFyYoO.-+").find(s[0]) != std::string_view::npos) {
    static const char* kWords[] = {"~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
                                   "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                                   "y", "Y", "n", "N", ".inf", ".nan", "-.inf", "+.inf"};
    for (const char* w : kWords)
      if (s == w) return true;
  }
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

namespace {

/// How yaml-cpp writes one scalar on its own: plain when it reads back as itself, else
/// double-quoted with escapes. Only used for the rare strings the fast paths below
/// cannot decide, so the output stays exactly yaml-cpp's.
std::string yaml_cpp_scalar(const std::string& s, bool double_quoted) {
  YAML::Emitter e;
  if (double_quoted) e << YAML::DoubleQuoted;
  e << s;
  return e.c_str();
}

bool printable_ascii(char c) { return c >= 0x20 && c <= 0x7e; }
/// True when YAML and JSON both write every character of s as it is inside double quotes.
bool verbatim_quoted(std::string_view s) {
  for (char c : s)
    if (!printable_ascii(c) || c == '"' || c == '\\') return false;
  return true;
}

/// True when yaml-cpp certainly writes s plain in block context (its IsValidPlainScalar:
/// not a null word, no indicator first, no ": " or " #", no trailing space, printable).
bool surely_plain(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return false;
  if (std::string_view(" ,[]{}#&*!|>'\"%@`").find(s[0]) != std::string_view::npos) return false;
  if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (s.size() == 1 || s[1] == ' ')) return false;
  if (s.back() == ' ') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!printable_ascii(c)) return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == ' ' && i + 1 < s.size() && s[i + 1] == '#') return false;
  }
  return true;
}

/// Appends "s" (s needs no escapes: verbatim_quoted).
void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  out += s;
  out += '"';
}

/// Appends s as a YAML string (key: a mapping key, never quoted for looking typed).
void append_string(std::string& out, std::string_view s, bool key) {
  if (!key && looks_typed(s)) {
    if (verbatim_quoted(s)) append_quoted(out, s);
    else out += yaml_cpp_scalar(std::string(s), true);
    return;
  }
  if (surely_plain(s)) out += s;
  else out += yaml_cpp_scalar(std::string(s), false);
}

/// How nlohmann::json writes a number that is not a whole one (shortest round trip).
std::string json_float(double d) { return nlohmann::json(d).dump(); }

/// Reads nlohmann::json for the writers in yaml_emit.h.
struct JsonTree {
  using Value = nlohmann::json;
  static bool is_map(const Value& j) { return j.is_object(); }
  static bool is_seq(const Value& j) { return j.is_array(); }
  static bool empty(const Value& j) { return j.empty(); }
  static const Value* items(const Value& j) { return j.get_ref<const Value::array_t&>().data(); }
  static size_t item_count(const Value& j) { return j.size(); }
  static void entries(const Value& j, std::vector<std::pair<const std::string*, const Value*>>& out) {
    out.reserve(j.size());
    for (auto it = j.begin(); it != j.end(); ++it) out.emplace_back(&it.key(), &it.value());
  }
  static Scalar scalar(const Value& j) {
    Scalar v;
    switch (j.type()) {
      case Value::value_t::string:
        v.type = Scalar::Type::String;
        v.s = j.get_ref<const std::string&>();
        break;
      case Value::value_t::boolean:
        v.type = Scalar::Type::Bool;
        v.b = j.get<bool>();
        break;
      case Value::value_t::number_integer:
        v.type = Scalar::Type::Int;
        v.i = j.get<long long>();
        break;
      case Value::value_t::number_unsigned:
        v.type = Scalar::Type::Uint;
        v.u = j.get<unsigned long long>();
        break;
      case Value::value_t::number_float:
        v.type = Scalar::Type::Float;
        v.d = j.get<double>();
        break;
      default:
        break;
    }
    return v;
  }
};

}  // namespace

void append_yaml_scalar(std::string& out, const Scalar& v) {
  switch (v.type) {
    case Scalar::Type::Null:
      out += "null";
      return;
    case Scalar::Type::Bool:
      out += v.b ? "true" : "false";
      return;
    case Scalar::Type::Int:
      out += std::to_string(v.i);
      return;
    case Scalar::Type::Uint:
      out += std::to_string(v.u);
      return;
    case Scalar::Type::Float:
      if (std::floor(v.d) == v.d && std::fabs(v.d) < 1e15) out += std::to_string(static_cast<long long>(v.d));
      else out += json_float(v.d);
      return;
    case Scalar::Type::String:
      append_string(out, v.s, false);
      return;
  }
}

void append_yaml_key(std::string& out, std::string_view key) { append_string(out, key, true); }

void append_json_scalar(std::string& out, const Scalar& v) {
  switch (v.type) {
    case Scalar::Type::Float:
      out += json_float(v.d);
      return;
    case Scalar::Type::String:
      if (verbatim_quoted(v.s)) append_quoted(out, v.s);
      else out += nlohmann::json(std::string(v.s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    default:
      return append_yaml_scalar(out, v);  // null, true/false and integers read the same in both
  }
}

std::string to_yaml(const nlohmann::json& j) { return to_yaml_tree<JsonTree>(j); }

}  // namespace compose::model
