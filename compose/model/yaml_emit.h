#pragma once
/// Prints canonical JSON as YAML the way `docker compose config` does: block style,
/// project keys first (name, services, networks, volumes, secrets, configs), then
/// sorted keys; strings that would read back as another type are quoted.
/// The writers are templates over a Tree (how to read one kind of tree), so the JSON
/// tree here and compose::load::Node (node.h: to_yaml_text, to_json_text) print through
/// the same layout and the same scalar formatting.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/model/parallel.h"

namespace compose::model {

/// A typed scalar: what a YAML scalar reads as, or a JSON scalar (strings are views).
struct Scalar {
  enum class Type { Null, Bool, Int, Uint, Float, String };
  Type type = Type::Null;
  bool b = false;
  long long i = 0;
  unsigned long long u = 0;
  double d = 0;
  std::string_view s;
};

/// True when a string would read back as another type (null, bool, number, ...): such
/// strings are written double-quoted.
bool looks_typed(std::string_view s);

/// Appends a scalar as a YAML value (strings that look typed double-quoted).
void append_yaml_scalar(std::string& out, const Scalar& v);
/// Appends a mapping key as YAML (plain when yaml-cpp would write it plain).
void append_yaml_key(std::string& out, std::string_view key);
/// Appends a scalar as nlohmann::json's dump writes it (invalid UTF-8 replaced by U+FFFD).
void append_json_scalar(std::string& out, const Scalar& v);

/// YAML text of a project (or any JSON value), ending with a newline.
std::string to_yaml(const nlohmann::json& j);

/// A Tree reads one kind of tree for the writers below:
///   using Value; static bool is_map(v), is_seq(v), empty(v) (of a mapping or sequence);
///   static const Value* items(v), size_t item_count(v) (a sequence's items, contiguous);
///   static void entries(v, std::vector<std::pair<const std::string*, const Value*>>&)
///     (a mapping's entries in byte-wise key order, one per key);
///   static Scalar scalar(v) (anything that is neither mapping nor sequence).
namespace detail {

/// Mappings with at least this many entries are written in two halves on two threads.
inline constexpr size_t kSplitEntries = 256;

/// Writes entries [0, n) with write(w, from, to), the second half into another writer on
/// a second thread when n is big; the two texts are joined in order.
template <class Writer, class Write>
void write_in_halves(Writer& self, size_t n, Write&& write) {
  size_t half = n >= kSplitEntries && can_split() ? n / 2 : n;
  if (half == n) return write(self, 0, n);
  Writer second;
  run_both([&] { write(self, 0, half); }, [&] { write(second, half, n); });
  self.out += second.out;
}

/// Block-style YAML writer with yaml-cpp's layout (indent 2, sequences indented under
/// their key, "- " items carrying their first mapping entry, a sequence in a sequence
/// starting on the line after its "-", {} and [] when empty).
template <class Tree>
class YamlWriter {
 public:
  using Value = typename Tree::Value;
  using Item = std::pair<const std::string*, const Value*>;
  std::string out;

  void top(const Value& v) {
    if (!Tree::is_map(v) || Tree::empty(v)) {
      if (Tree::is_seq(v) && !Tree::empty(v)) block(v, 0, false, false);
      else inline_value(v), out += '\n';
      return;
    }
    block(v, 0, false, true);
  }

 private:
  static bool is_block(const Value& v) { return (Tree::is_map(v) || Tree::is_seq(v)) && !Tree::empty(v); }

  /// A scalar or an empty collection, written on the current line.
  void inline_value(const Value& v) {
    if (Tree::is_map(v)) out += "{}";
    else if (Tree::is_seq(v)) out += "[]";
    else append_yaml_scalar(out, Tree::scalar(v));
  }

  /// The value after "key:" or "-": on the same line when scalar, else the block below.
  void child(const Value& v, int indent, bool in_seq) {
    if (!is_block(v)) {
      out += ' ';
      inline_value(v);
      out += '\n';
      return;
    }
    if (in_seq && Tree::is_map(v)) {  // "- key: value", the rest of the mapping below
      out += ' ';
      block(v, indent + 2, true, false);
      return;
    }
    out += '\n';
    block(v, indent + 2, false, false);
  }

  /// A non-empty mapping or sequence at indent; first_inline: the first line is already indented.
  void block(const Value& v, int indent, bool first_inline, bool top) {
    if (Tree::is_seq(v)) {
      const Value* items = Tree::items(v);
      for (size_t i = 0, n = Tree::item_count(v); i < n; ++i) {
        if (!(i == 0 && first_inline)) out.append(static_cast<size_t>(indent), ' ');
        out += '-';
        child(items[i], indent, true);
      }
      return;
    }
    std::vector<Item> items;
    Tree::entries(v, items);
    if (top) project_keys_first(items);
    write_in_halves(*this, items.size(), [&](YamlWriter& w, size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        if (!(i == 0 && first_inline)) w.out.append(static_cast<size_t>(indent), ' ');
        append_yaml_key(w.out, *items[i].first);
        w.out += ':';
        w.child(*items[i].second, indent, false);
      }
    });
  }

  /// Moves name, services, networks, volumes, secrets and configs (in this order) to the
  /// front of the project's sorted entries.
  static void project_keys_first(std::vector<Item>& items) {
    static constexpr std::string_view kFirst[] = {"name", "services", "networks", "volumes", "secrets", "configs"};
    auto rank = [](const Item& it) { return std::find(std::begin(kFirst), std::end(kFirst), *it.first) - kFirst; };
    auto rest = std::stable_partition(items.begin(), items.end(), [&](const Item& it) { return rank(it) < std::ssize(kFirst); });
    std::sort(items.begin(), rest, [&](const Item& a, const Item& b) { return rank(a) < rank(b); });
  }
};

/// JSON writer with the layout of nlohmann::json's dump(2): keys sorted, 2-space indent,
/// "key": value, {} and [] when empty.
template <class Tree>
class JsonWriter {
 public:
  using Value = typename Tree::Value;
  using Item = std::pair<const std::string*, const Value*>;
  std::string out;

  void value(const Value& v, int indent) {
    bool map = Tree::is_map(v);
    if (!map && !Tree::is_seq(v)) return append_json_scalar(out, Tree::scalar(v));
    if (Tree::empty(v)) {
      out.append(map ? "{}" : "[]", 2);
      return;
    }
    size_t inner = static_cast<size_t>(indent) + 2;
    out.append(map ? "{\n" : "[\n", 2);
    if (map) {
      std::vector<Item> items;
      Tree::entries(v, items);
      write_in_halves(*this, items.size(), [&](JsonWriter& w, size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
          w.out.append(inner, ' ');
          Scalar key;
          key.type = Scalar::Type::String;
          key.s = *items[i].first;
          append_json_scalar(w.out, key);
          w.out.append(": ", 2);
          w.value(*items[i].second, indent + 2);
          if (i + 1 != items.size()) w.out += ',';
          w.out += '\n';
        }
      });
    } else {
      const Value* items = Tree::items(v);
      for (size_t i = 0, n = Tree::item_count(v); i < n; ++i) {
        out.append(inner, ' ');
        value(items[i], indent + 2);
        if (i + 1 != n) out += ',';
        out += '\n';
      }
    }
    out.append(static_cast<size_t>(indent), ' ');
    out += map ? '}' : ']';
  }
};

}  // namespace detail

/// YAML text of any tree read by Tree (see detail), ending with a newline; the mapping at
/// the top puts the project keys first.
template <class Tree>
std::string to_yaml_tree(const typename Tree::Value& root) {
  detail::YamlWriter<Tree> w;
  w.top(root);
  return std::move(w.out);
}

/// JSON text of any tree read by Tree, as nlohmann::json's dump(2, ' ', false, replace)
/// writes the same tree, followed by a newline.
template <class Tree>
std::string to_json_tree(const typename Tree::Value& root) {
  detail::JsonWriter<Tree> w;
  w.value(root, 0);
  w.out += '\n';
  return std::move(w.out);
}

}  // namespace compose::model
