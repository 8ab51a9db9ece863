#include "compose/model/yaml_emit.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "compose/model/parallel.h"

namespace compose::model {

bool looks_typed(const std::string& s) {
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

/// True when yaml-cpp certainly writes s plain in block context (its IsValidPlainScalar:
/// not a null word, no indicator first, no ": " or " #", no trailing space, printable).
bool surely_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return false;
  static const std::string kBadStart = " ,[]{}#&*!|>'\"%@`";
  if (kBadStart.find(s[0]) != std::string::npos) return false;
  if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (s.size() == 1 || s[1] == ' ')) return false;
  if (s.back() == ' ') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!printable_ascii(c)) return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == ' ' && s[i + 1] == '#') return false;
  }
  return true;
}

/// Block-style YAML writer with yaml-cpp's layout (indent 2, sequences indented under
/// their key, "- " items carrying their first mapping entry, a sequence in a sequence
/// starting on the line after its "-", {} and [] when empty).
class Writer {
 public:
  std::string out;

  void top(const nlohmann::json& j) {
    if (!j.is_object() || j.empty()) {
      if (j.is_array() && !j.empty()) block(j, 0, false, false);
      else out += inline_text(j) + "\n";
      return;
    }
    block(j, 0, false, true);
  }

 private:
  static bool is_block(const nlohmann::json& j) { return (j.is_object() || j.is_array()) && !j.empty(); }

  void append_string(const std::string& s, bool key) {
    if (!key && looks_typed(s)) {
      bool simple = std::all_of(s.begin(), s.end(), [](char c) { return printable_ascii(c) && c != '"' && c != '\\'; });
      if (simple) out += '"' + s + '"';
      else out += yaml_cpp_scalar(s, true);
      return;
    }
    if (surely_plain(s)) out += s;
    else out += yaml_cpp_scalar(s, false);
  }

  /// A scalar or an empty collection, written on the current line.
  std::string inline_text(const nlohmann::json& j) {
    std::string saved;
    saved.swap(out);
    scalar(j);
    saved.swap(out);
    return saved;
  }

  void scalar(const nlohmann::json& j) {
    switch (j.type()) {
      case nlohmann::json::value_t::object:
        out += "{}";
        return;
      case nlohmann::json::value_t::array:
        out += "[]";
        return;
      case nlohmann::json::value_t::string:
        append_string(j.get_ref<const std::string&>(), false);
        return;
      case nlohmann::json::value_t::boolean:
        out += j.get<bool>() ? "true" : "false";
        return;
      case nlohmann::json::value_t::null:
        out += "null";
        return;
      case nlohmann::json::value_t::number_float: {
        double d = j.get<double>();
        if (std::floor(d) == d && std::fabs(d) < 1e15) out += std::to_string(static_cast<long long>(d));
        else out += j.dump();
        return;
      }
      default:
        out += j.dump();
        return;
    }
  }

  /// The value after "key:" or "-": on the same line when scalar, else the block below.
  void child(const nlohmann::json& v, int indent, bool in_seq) {
    if (!is_block(v)) {
      out += ' ';
      scalar(v);
      out += '\n';
      return;
    }
    if (in_seq && v.is_object()) {  // "- key: value", the rest of the mapping below
      out += ' ';
      block(v, indent + 2, true, false);
      return;
    }
    out += '\n';
    block(v, indent + 2, false, false);
  }

  /// A non-empty mapping or sequence at indent; first_inline: the first line is already indented.
  void block(const nlohmann::json& j, int indent, bool first_inline, bool top) {
    bool first = true;
    auto pad = [&] {
      if (!(first && first_inline)) out.append(static_cast<size_t>(indent), ' ');
      first = false;
    };
    if (j.is_array()) {
      for (const auto& v : j) {
        pad();
        out += '-';
        child(v, indent, true);
      }
      return;
    }
    // A big mapping (the services) writes its second half into another Writer on a
    // second thread; the two texts are joined in order.
    std::vector<Item> items = ordered(j, top);
    auto entries = [&](Writer& w, size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        if (!(i == 0 && first_inline)) w.out.append(static_cast<size_t>(indent), ' ');
        w.append_string(*items[i].first, true);
        w.out += ':';
        w.child(*items[i].second, indent, false);
      }
    };
    size_t half = items.size() >= 256 && can_split() ? items.size() / 2 : items.size();
    if (half == items.size()) return entries(*this, 0, items.size());
    Writer second;
    run_both([&] { entries(*this, 0, half); }, [&] { entries(second, half, items.size()); });
    out += second.out;
  }

  /// A mapping's keys with their values: name, services, networks, volumes, secrets and
  /// configs first at the top level, then the rest in key order.
  using Item = std::pair<const std::string*, const nlohmann::json*>;
  static std::vector<Item> ordered(const nlohmann::json& j, bool top) {
    static const char* kFirst[] = {"name", "services", "networks", "volumes", "secrets", "configs"};
    std::vector<Item> items;
    items.reserve(j.size());
    if (top)
      for (const char* k : kFirst)
        if (auto it = j.find(k); it != j.end()) items.emplace_back(&it.key(), &it.value());
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (top && std::find(std::begin(kFirst), std::end(kFirst), it.key()) != std::end(kFirst)) continue;
      items.emplace_back(&it.key(), &it.value());
    }
    return items;
  }
};

}  // namespace

std::string to_yaml(const nlohmann::json& j) {
  Writer w;
  w.top(j);
  return std::move(w.out);
}

}  // namespace compose::model
