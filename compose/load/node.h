#pragma once
/// Node: the untyped YAML tree every loader stage works on. Each node keeps the file,
/// line and column it came from so any stage can report `file:line:col: path: reason`.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace compose::load {

/// The one copy of a file name that marks point to; it lives as long as the process (a
/// loader reads a handful of files, and a mark is copied for every node).
const std::string* file_name(std::string_view name);

/// Where a node was written: file, 1-based line and column (line 0 = unknown).
struct Mark {
  const std::string* file = nullptr;  ///< from file_name(); nullptr when unknown
  int line = 0;
  int col = 0;
  /// "file:line:col" or "" when unknown.
  std::string str() const;
};

enum class Kind { Null, Scalar, Sequence, Mapping };
/// Plain scalars are typed by their text (int, bool, ...); quoted ones are always strings.
enum class Style { Plain, Quoted };
/// Compose merge tags: !reset drops the inherited value, !override replaces it.
enum class Tag { None, Reset, Override };

struct Entry;

/// One YAML node: null, scalar, sequence or mapping (entries keep their file order).
struct Node {
  Kind kind = Kind::Null;
  Style style = Style::Plain;
  Tag tag = Tag::None;
  std::string text;            ///< scalar text
  std::vector<Node> items;     ///< sequence items
  std::vector<Entry> entries;  ///< mapping entries
  Mark mark;

  static Node null(Mark m = {});
  static Node str(std::string s, Mark m = {});    ///< quoted scalar (always a string)
  static Node plain(std::string s, Mark m = {});  ///< plain scalar (typed by its text)
  static Node seq(Mark m = {});
  static Node map(Mark m = {});

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_seq() const { return kind == Kind::Sequence; }
  bool is_map() const { return kind == Kind::Mapping; }
  /// Mapping lookup; nullptr when absent or not a mapping.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  /// Mapping entry for key, created (null) at the end when missing.
  Node& at(std::string_view key, Mark m = {});
  /// Sets key to value (replacing an existing entry in place).
  void set(std::string_view key, Node value);
  /// Removes key; true if it existed.
  bool erase(std::string_view key);
  /// Scalar text of a child or fallback.
  std::string get_text(std::string_view key, std::string fallback = {}) const;
  /// Number of nodes in this subtree.
  size_t size() const;
};

/// A mapping entry: key text, the key's own location, and the value.
struct Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

/// JSON type of a scalar's value (null nodes too) by YAML 1.2 core rules.
enum class ScalarType { Null, Bool, Int, Float, String };
/// A scalar's typed value without building JSON; i/d/b hold the value for Int/Float/Bool.
struct TypedScalar {
  ScalarType type = ScalarType::Null;
  bool b = false;
  long long i = 0;
  double d = 0;
};
/// Type and value of a scalar (or null node); scalar_value() is this as JSON.
TypedScalar scalar_typed(const Node& n);
/// Typed value of a scalar by YAML 1.2 core rules (quoted -> string).
nlohmann::json scalar_value(const Node& n);
/// Whole tree as JSON (mappings become objects with sorted keys).
nlohmann::json to_json(const Node& n);
/// YAML text of the tree, as compose::model::to_yaml(to_json(n)) prints it (without the copy).
std::string to_yaml_text(const Node& n);
/// JSON text of the tree and a newline, as to_json(n).dump(2, ' ', false, replace) prints it.
std::string to_json_text(const Node& n);
/// Builds a tree from JSON; every node gets mark m.
Node from_json(const nlohmann::json& j, const Mark& m = {});
/// True when a scalar is a YAML boolean true/false; sets out.
bool scalar_bool(const Node& n, bool& out);

/// A path into the tree for messages: services.web.ports[0].
class Path {
 public:
  Path() = default;
  explicit Path(std::string s) : s_(std::move(s)) {}
  Path key(std::string_view k) const;
  Path index(size_t i) const;
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

/// Formats "file:line:col: path: reason" (parts omitted when unknown).
std::string located(const Mark& m, const std::string& path, const std::string& reason);

/// Collected loader errors; sorted and joined one per line at the end of a phase.
class Diagnostics {
 public:
  void add(const Mark& m, const std::string& path, const std::string& reason);
  void add_raw(std::string line);
  /// Takes over every line of other (str() sorts, so the order of phases does not matter).
  void append(Diagnostics&& other);
  bool empty() const { return lines_.empty(); }
  /// Sorted (by file, line, column), duplicates removed, one per line.
  std::string str() const;

 private:
  struct Item {
    std::string file;
    int line, col;
    std::string text;
  };
  std::vector<Item> lines_;
};

}  // namespace compose::load
