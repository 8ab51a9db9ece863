#include "schema/unknown_keys.h"

namespace schema {
namespace {

using nlohmann::json;

class Walker {
 public:
  Walker(const json& root, std::set<std::vector<std::string>>& checked) : root_(root), checked_(checked) {}

  std::vector<Violation> out;

  void walk(const json& s, const json& doc, std::vector<std::string>& path, int depth) {
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
        path.push_back(std::to_string(i));
        walk(*items, doc[i], path, depth + 1);
        path.pop_back();
      }
      return;
    }
    check_object(*schema, doc, path, depth);
  }

 private:
  /// Follows "$ref": "#/definitions/<name>".
  const json* resolve(const json& s) const {
    const json* cur = &s;
    for (int hops = 0; hops < 8 && cur->is_object(); ++hops) {
      auto ref = cur->find("$ref");
      if (ref == cur->end() || !ref->is_string()) return cur;
      const std::string& r = ref->get_ref<const std::string&>();
      const std::string prefix = "#/definitions/";
      if (r.rfind(prefix, 0) != 0) return nullptr;
      auto defs = root_.find("definitions");
      if (defs == root_.end() || !defs->contains(r.substr(prefix.size()))) return nullptr;
      cur = &(*defs)[r.substr(prefix.size())];
    }
    return cur;
  }

  static bool allows(const json& s, const char* kind) {
    auto t = s.find("type");
    if (t == s.end()) return true;
    if (t->is_string()) return *t == kind;
    for (const json& k : *t)
      if (k == kind) return true;
    return false;
  }

  /// The schema that applies to a value of this kind: the schema itself, or the single
  /// oneOf/anyOf branch that accepts the kind; nullptr when that is ambiguous.
  const json* branch(const json& s, const char* kind) const {
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

  /// A patternProperties pattern of the form "^literal" (the only form our schema uses).
  static bool matches(const std::string& pattern, const std::string& key) {
    if (pattern.empty() || pattern[0] != '^') return true;  // cannot judge: accept
    for (char c : pattern.substr(1))
      if (std::string("\\.[]()*+?{}|$").find(c) != std::string::npos) return true;
    return key.rfind(pattern.substr(1), 0) == 0;
  }

  void check_object(const json& s, const json& doc, std::vector<std::string>& path, int depth) {
    auto props = s.find("properties");
    auto patterns = s.find("patternProperties");
    auto extra = s.find("additionalProperties");
    bool closed = extra != s.end() && extra->is_boolean() && !extra->get<bool>();
    if (closed) checked_.insert(path);
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& key = it.key();
      path.push_back(key);
      if (props != s.end() && props->contains(key)) {
        walk((*props)[key], it.value(), path, depth + 1);
      } else if (patterns != s.end() && matched(*patterns, key)) {
        // x-* extensions: anything goes.
      } else if (extra != s.end() && extra->is_object()) {
        walk(*extra, it.value(), path, depth + 1);
      } else if (closed) {
        out.push_back(Violation{path, true, "unknown key \"" + key + "\""});
      }
      path.pop_back();
    }
  }

  static bool matched(const json& patterns, const std::string& key) {
    for (auto p = patterns.begin(); p != patterns.end(); ++p)
      if (matches(p.key(), key)) return true;
    return false;
  }

  const json& root_;
  std::set<std::vector<std::string>>& checked_;
};

}  // namespace

std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc,
                                    std::set<std::vector<std::string>>& checked) {
  Walker w(schema, checked);
  std::vector<std::string> path;
  w.walk(schema, doc, path, 0);
  return std::move(w.out);
}

}  // namespace schema
