#include "schema/unknown_keys.h"

#include <string_view>
#include <unordered_map>

namespace schema {
namespace {

using nlohmann::json;

/// One step of the path being walked: a key, or an index when key is null.
struct Step {
  const std::string* key;
  size_t index;
};

class Walker {
 public:
  explicit Walker(const json& root) : root_(root) {}

  std::vector<Violation> out;

  void walk(const json& s, const json& doc, int depth) {
    if (depth > 64) return;
    const json* schema = resolve(s);
    if (!schema || !schema->is_object()) return;
    const char* kind = doc.is_object() ? "object" : doc.is_array() ? "array" : nullptr;
    if (!kind) return;
    schema = branch(*schema, kind);
    if (!schema) return;
    if (doc.is_array()) {
      auto items = schema->find("items");
      if (items == schema->end() || !items->is_object()) return;
      for (size_t i = 0; i < doc.size(); ++i) {
        path_.push_back(Step{nullptr, i});
        walk(*items, doc[i], depth + 1);
        path_.pop_back();
      }
      return;
    }
    check_object(*schema, doc, depth);
  }

 private:
  /// Follows "$ref": "#/definitions/<name>" (memoized per schema node).
  const json* resolve(const json& s) {
    auto [it, fresh] = resolved_.try_emplace(&s, nullptr);
    if (fresh) it->second = follow(s);
    return it->second;
  }

  const json* follow(const json& s) const {
    static const std::string kPrefix = "#/definitions/";
    const json* cur = &s;
    for (int hops = 0; hops < 8 && cur->is_object(); ++hops) {
      auto ref = cur->find("$ref");
      if (ref == cur->end() || !ref->is_string()) return cur;
      const std::string& r = ref->get_ref<const std::string&>();
      if (r.rfind(kPrefix, 0) != 0) return nullptr;
      auto defs = root_.find("definitions");
      if (defs == root_.end()) return nullptr;
      auto def = defs->find(r.substr(kPrefix.size()));
      if (def == defs->end()) return nullptr;
      cur = &*def;
    }
    return cur;
  }

  static bool allows(const json& s, const char* kind) {
    auto t = s.find("type");
    if (t == s.end()) return true;
    if (t->is_string()) return t->get_ref<const std::string&>() == kind;
    for (const json& k : *t)
      if (k.is_string() && k.get_ref<const std::string&>() == kind) return true;
    return false;
  }

  /// The schema that applies to a value of this kind: the schema itself, or the single
  /// oneOf/anyOf branch that accepts the kind; nullptr when that is ambiguous.
  const json* branch(const json& s, const char* kind) {
    for (const char* key : {"oneOf", "anyOf"}) {
      auto alts = s.find(key);
      if (alts == s.end()) continue;
      const json* found = nullptr;
      for (const json& a : *alts) {
        const json* r = resolve(a);
        if (!r || !allows(*r, kind)) continue;
        if (found) return nullptr;
        found = r;
      }
      return found;
    }
    return allows(s, kind) ? &s : nullptr;
  }

  /// patternProperties: "^literal" patterns (the only form our schema uses) match by
  /// prefix; any other pattern is accepted rather than judged.
  static bool matched(const json& patterns, const std::string& key) {
    for (auto p = patterns.begin(); p != patterns.end(); ++p) {
      std::string_view pattern = p.key();
      if (pattern.empty() || pattern[0] != '^') return true;
      pattern.remove_prefix(1);
      if (pattern.find_first_of("\\.[]()*+?{}|$") != std::string_view::npos) return true;
      if (std::string_view(key).substr(0, pattern.size()) == pattern) return true;
    }
    return false;
  }

  void check_object(const json& s, const json& doc, int depth) {
    auto props = s.find("properties");
    auto patterns = s.find("patternProperties");
    auto extra = s.find("additionalProperties");
    bool has_props = props != s.end() && props->is_object();
    bool closed = extra != s.end() && extra->is_boolean() && !extra->get<bool>();
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& key = it.key();
      path_.push_back(Step{&key, 0});
      auto prop = has_props ? props->find(key) : s.end();
      if (has_props && prop != props->end()) {
        walk(*prop, it.value(), depth + 1);
      } else if (patterns != s.end() && matched(*patterns, key)) {
        // x-* extensions: anything goes.
      } else if (extra != s.end() && extra->is_object()) {
        walk(*extra, it.value(), depth + 1);
      } else if (closed) {
        out.push_back(Violation{segments(), true, "unknown key \"" + key + "\""});
      }
      path_.pop_back();
    }
  }

  std::vector<std::string> segments() const {
    std::vector<std::string> out;
    for (const Step& s : path_) out.push_back(s.key ? *s.key : std::to_string(s.index));
    return out;
  }

  const json& root_;
  std::vector<Step> path_;
  std::unordered_map<const json*, const json*> resolved_;
};

}  // namespace

std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc) {
  Walker w(schema);
  w.walk(schema, doc, 0);
  return std::move(w.out);
}

}  // namespace schema
