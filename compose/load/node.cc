#include "compose/load/node.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <set>
#include <tuple>

#include "compose/model/parallel.h"
#include "compose/model/yaml_emit.h"

namespace compose::load {

const std::string* file_name(std::string_view name) {
  static std::mutex lock;
  static auto* names = new std::set<std::string, std::less<>>;  // never freed: marks may outlive any owner
  std::lock_guard<std::mutex> hold(lock);
  auto it = names->find(name);
  if (it == names->end()) it = names->emplace(name).first;
  return &*it;
}

std::string Mark::str() const {
  if (!file) return {};
  if (line <= 0) return *file;
  return *file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

Node Node::null(Mark m) {
  Node n;
  n.mark = std::move(m);
  return n;
}
Node Node::str(std::string s, Mark m) {
  Node n;
  n.kind = Kind::Scalar;
  n.style = Style::Quoted;
  n.text = std::move(s);
  n.mark = std::move(m);
  return n;
}
Node Node::plain(std::string s, Mark m) {
  Node n = str(std::move(s), std::move(m));
  n.style = Style::Plain;
  return n;
}
Node Node::seq(Mark m) {
  Node n;
  n.kind = Kind::Sequence;
  n.mark = std::move(m);
  return n;
}
Node Node::map(Mark m) {
  Node n;
  n.kind = Kind::Mapping;
  n.mark = std::move(m);
  return n;
}

const Node* Node::find(std::string_view key) const {
  if (kind != Kind::Mapping) return nullptr;
  for (const Entry& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}
Node* Node::find(std::string_view key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}
Node& Node::at(std::string_view key, Mark m) {
  if (Node* n = find(key)) return *n;
  if (kind != Kind::Mapping) *this = map(mark);
  entries.push_back(Entry{std::string(key), m, null(m)});
  return entries.back().value;
}
void Node::set(std::string_view key, Node value) {
  if (Node* n = find(key)) {
    *n = std::move(value);
    return;
  }
  if (kind != Kind::Mapping) *this = map(mark);
  Mark m = value.mark;
  entries.push_back(Entry{std::string(key), m, std::move(value)});
}
bool Node::erase(std::string_view key) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}
std::string Node::get_text(std::string_view key, std::string fallback) const {
  const Node* n = find(key);
  return n && n->is_scalar() ? n->text : fallback;
}
size_t Node::size() const {
  size_t s = 1;
  for (const Node& i : items) s += i.size();
  for (const Entry& e : entries) s += e.value.size();
  return s;
}

namespace {

bool is_int(const std::string& t, long long& out) {
  if (t.empty()) return false;
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i >= t.size()) return false;
  int base = 10;
  if (t.size() > i + 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o')) {
    base = t[i + 1] == 'x' ? 16 : 8;
    i += 2;
  }
  // A leading 0 means octal, as Go's strconv.ParseInt(s, 0, 64) reads it (mode: 0440).
  if (base == 10 && t.size() > i + 1 && t[i] == '0') base = 8;
  for (size_t k = i; k < t.size(); ++k) {
    char c = t[k];
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) : (c >= '0' && c <= (base == 8 ? '7' : '9'));
    if (!ok) return false;
  }
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str() + i, &end, base);
  if (errno == ERANGE) return false;
  out = t[0] == '-' ? -v : v;
  return true;
}

bool is_float(const std::string& t, double& out) {
  static const char* kInf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
  for (const char* s : kInf)
    if (t == s) return out = HUGE_VAL, true;
  if (t == "-.inf" || t == "-.Inf" || t == "-.INF") return out = -HUGE_VAL, true;
  if (t == ".nan" || t == ".NaN" || t == ".NAN") return out = NAN, true;
  // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0, n = t.size();
  if (i < n && (t[i] == '-' || t[i] == '+')) ++i;
  size_t digits = 0;
  while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < n && t[i] == '.') {
    ++i;
    while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '-' || t[i] == '+')) ++i;
    size_t e = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++e;
    if (!e) return false;
  }
  if (i != n) return false;
  out = std::strtod(t.c_str(), nullptr);
  return true;
}

}  // namespace

bool scalar_bool(const Node& n, bool& out) {
  if (!n.is_scalar() || n.style != Style::Plain) return false;
  std::string_view t = n.text;
  if (t == "true" || t == "True" || t == "TRUE") return out = true, true;
  if (t == "false" || t == "False" || t == "FALSE") return out = false, true;
  return false;
}

TypedScalar scalar_typed(const Node& n) {
  TypedScalar out;
  if (n.kind != Kind::Scalar) return out;
  out.type = ScalarType::String;
  if (n.style == Style::Quoted) return out;
  const std::string& t = n.text;
  if (t.empty()) return out.type = ScalarType::Null, out;
  // Nulls, booleans and numbers start with one of these; anything else is a string.
  if (std::string_view("~nNtTfF0123456789-+.").find(t[0]) == std::string_view::npos) return out;
  std::string_view v = t;
  if (v == "~" || v == "null" || v == "Null" || v == "NULL") return out.type = ScalarType::Null, out;
  if (scalar_bool(n, out.b)) return out.type = ScalarType::Bool, out;
  if (is_int(t, out.i)) return out.type = ScalarType::Int, out;
  if (is_float(t, out.d) && std::isfinite(out.d)) return out.type = ScalarType::Float, out;
  return out;
}

nlohmann::json scalar_value(const Node& n) {
  TypedScalar v = scalar_typed(n);
  switch (v.type) {
    case ScalarType::Null: return nullptr;
    case ScalarType::Bool: return v.b;
    case ScalarType::Int: return v.i;
    case ScalarType::Float: return v.d;
    case ScalarType::String: break;
  }
  return n.text;
}

namespace {

/// scalar_typed() as the writers' scalar (strings view n.text).
model::Scalar typed_scalar(const Node& n) {
  using Type = model::Scalar::Type;
  TypedScalar t = scalar_typed(n);
  model::Scalar v;
  v.b = t.b;
  v.i = t.i;
  v.d = t.d;
  switch (t.type) {
    case ScalarType::Null: v.type = Type::Null; break;
    case ScalarType::Bool: v.type = Type::Bool; break;
    case ScalarType::Int: v.type = Type::Int; break;
    case ScalarType::Float: v.type = Type::Float; break;
    case ScalarType::String:
      v.type = Type::String;
      v.s = n.text;
      break;
  }
  return v;
}

}  // namespace

namespace {

/// to_json; depth 0 and 1 (the project and its services mapping) convert a big mapping's
/// second half on a second thread.
nlohmann::json convert(const Node& n, int depth) {
  switch (n.kind) {
    case Kind::Null:
      return nullptr;
    case Kind::Scalar:
      return scalar_value(n);
    case Kind::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const Node& i : n.items) a.push_back(convert(i, depth + 1));
      return a;
    }
    case Kind::Mapping: {
      nlohmann::json o = nlohmann::json::object();
      size_t n_entries = n.entries.size();
      size_t half = depth <= 1 && n_entries >= 256 ? n_entries / 2 : n_entries;
      std::vector<nlohmann::json> second;
      second.reserve(n_entries - half);
      auto first_half = [&] {
        for (size_t i = 0; i < half; ++i) o[n.entries[i].key] = convert(n.entries[i].value, depth + 1);
      };
      if (half == n_entries) {
        first_half();
        return o;
      }
      model::run_both(first_half, [&] {
        for (size_t i = half; i < n_entries; ++i) second.push_back(convert(n.entries[i].value, depth + 1));
      });
      for (size_t i = half; i < n_entries; ++i) o[n.entries[i].key] = std::move(second[i - half]);
      return o;
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::json to_json(const Node& n) { return convert(n, 0); }

namespace {

/// Reads the tree for the writers in compose/model/yaml_emit.h: mapping entries in key
/// order and, as in to_json, the last of equal keys.
struct NodeTree {
  using Value = Node;
  static bool is_map(const Node& n) { return n.kind == Kind::Mapping; }
  static bool is_seq(const Node& n) { return n.kind == Kind::Sequence; }
  static bool empty(const Node& n) { return n.kind == Kind::Mapping ? n.entries.empty() : n.items.empty(); }
  static const Node* items(const Node& n) { return n.items.data(); }
  static size_t item_count(const Node& n) { return n.items.size(); }
  using Item = std::pair<const std::string*, const Node*>;
  static void entries(const Node& n, std::vector<Item>& out) {
    out.reserve(n.entries.size());
    for (const Entry& e : n.entries) out.emplace_back(&e.key, &e.value);
    // Entries are contiguous: the addresses of their keys keep file order among equal keys.
    std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) {
      int c = a.first->compare(*b.first);
      return c < 0 || (c == 0 && a.first < b.first);
    });
    auto last_of_each = [&](const Item& a, const Item& b) { return *a.first == *b.first; };
    out.erase(out.begin(), std::unique(out.rbegin(), out.rend(), last_of_each).base());
  }
  static model::Scalar scalar(const Node& n) { return typed_scalar(n); }
};

}  // namespace

std::string to_yaml_text(const Node& n) { return model::to_yaml_tree<NodeTree>(n); }
std::string to_json_text(const Node& n) { return model::to_json_tree<NodeTree>(n); }

Node from_json(const nlohmann::json& j, const Mark& m) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      Node n = Node::map(m);
      for (auto it = j.begin(); it != j.end(); ++it)
        n.entries.push_back(Entry{it.key(), m, from_json(it.value(), m)});
      return n;
    }
    case nlohmann::json::value_t::array: {
      Node n = Node::seq(m);
      for (const auto& v : j) n.items.push_back(from_json(v, m));
      return n;
    }
    case nlohmann::json::value_t::string:
      return Node::str(j.get<std::string>(), m);
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Node::null(m);
    default:
      return Node::plain(j.dump(), m);
  }
}

Path Path::key(std::string_view k) const {
  if (s_.empty()) return Path(std::string(k));
  return Path(s_ + "." + std::string(k));
}
Path Path::index(size_t i) const { return Path(s_ + "[" + std::to_string(i) + "]"); }

std::string located(const Mark& m, const std::string& path, const std::string& reason) {
  std::string out = m.str();
  if (!out.empty()) out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + reason;
}

void Diagnostics::add(const Mark& m, const std::string& path, const std::string& reason) {
  lines_.push_back(Item{m.file ? *m.file : std::string(), m.line, m.col, located(m, path, reason)});
}
void Diagnostics::add_raw(std::string line) { lines_.push_back(Item{{}, 0, 0, std::move(line)}); }

void Diagnostics::append(Diagnostics&& other) {
  lines_.insert(lines_.end(), std::make_move_iterator(other.lines_.begin()), std::make_move_iterator(other.lines_.end()));
  other.lines_.clear();
}

std::string Diagnostics::str() const {
  std::vector<Item> v = lines_;
  std::sort(v.begin(), v.end(), [](const Item& a, const Item& b) {
    return std::tie(a.file, a.line, a.col, a.text) < std::tie(b.file, b.line, b.col, b.text);
  });
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i && v[i].text == v[i - 1].text) continue;
    if (!out.empty()) out += "\n";
    out += v[i].text;
  }
  return out;
}

}  // namespace compose::load
