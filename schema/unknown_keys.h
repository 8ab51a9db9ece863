#pragma once
/// Unknown keys: every key of a mapping that the schema does not allow (valijson stops at
/// the first one per mapping, and matches patternProperties with a std::regex built per
/// object). Walks our compose schema beside the document, following $ref, properties,
/// patternProperties ("^prefix" patterns), additionalProperties, items and the one branch
/// of a oneOf/anyOf that accepts the value's type. validate_compose() leaves these rules
/// to this walk and the rest of the schema to valijson.
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/validator.h"

namespace schema {

/// Unknown keys of doc under schema (both JSON); each Violation names the key.
std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc);

/// The unknown-key walk over any document type. Access describes the document:
///   using Value = ...;                      a cheap handle to one value
///   static bool is_object(Value), is_array(Value)
///   static void items(Value, F)             F(size_t index, Value item), in order
///   static void members(Value, F)           F(const std::string& key, Value value); the
///                                           key must outlive the call
/// With stop_at_first the walk ends at the first unknown key (a yes/no check).
template <class Access>
class KeyWalker {
 public:
  using Value = typename Access::Value;
  using json = nlohmann::json;

  KeyWalker(const json& root, bool stop_at_first) : root_(root), stop_(stop_at_first) {}

  /// Violations found so far.
  std::vector<Violation> out;

  /// Walks doc under schema s (start with the root schema and depth 0).
  void walk(const json& s, Value doc, int depth) {
    if (depth > 64 || (stop_ && !out.empty())) return;
    const Rules& r = rules(s);
    if (Access::is_object(doc)) {
      if (r.object) check_object(r, doc, depth);
    } else if (Access::is_array(doc) && r.items) {
      Access::items(doc, [&](size_t i, Value item) {
        path_.push_back(Step{nullptr, i});
        walk(*r.items, item, depth + 1);
        path_.pop_back();
      });
    }
  }

 private:
  /// One step of the path being walked: a key, or an index when key is null.
  struct Step {
    const std::string* key;
    size_t index;
  };

  /// What a schema node asks of a mapping or a sequence, looked up once per node.
  struct Rules {
    bool object = false;            ///< a mapping is walked
    const json* props = nullptr;    ///< "properties" (an object) or null
    const json* patterns = nullptr; ///< "patternProperties" or null
    const json* extra = nullptr;    ///< "additionalProperties" when it is a schema
    bool closed = false;            ///< "additionalProperties": false
    const json* items = nullptr;    ///< a sequence's "items" (an object) or null: not walked
  };

  /// The Rules of schema node s (made on first use).
  const Rules& rules(const json& s) {
    auto [it, fresh] = rules_.try_emplace(&s);
    if (fresh) it->second = make_rules(s);
    return it->second;
  }

  /// Resolves s and its oneOf/anyOf branch for each kind, then reads the key rules.
  Rules make_rules(const json& s) {
    Rules r;
    const json* schema = resolve(s);
    if (!schema || !schema->is_object()) return r;
    if (const json* o = branch(*schema, "object")) {
      r.object = true;
      auto props = o->find("properties");
      if (props != o->end() && props->is_object()) r.props = &*props;
      auto patterns = o->find("patternProperties");
      if (patterns != o->end()) r.patterns = &*patterns;
      auto extra = o->find("additionalProperties");
      if (extra != o->end() && extra->is_object()) r.extra = &*extra;
      r.closed = extra != o->end() && extra->is_boolean() && !extra->template get<bool>();
    }
    if (const json* a = branch(*schema, "array")) {
      auto items = a->find("items");
      if (items != a->end() && items->is_object()) r.items = &*items;
    }
    return r;
  }

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
      const std::string& r = ref->template get_ref<const std::string&>();
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
    if (t->is_string()) return t->template get_ref<const std::string&>() == kind;
    for (const json& k : *t)
      if (k.is_string() && k.template get_ref<const std::string&>() == kind) return true;
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

  void check_object(const Rules& r, Value doc, int depth) {
    Access::members(doc, [&](const std::string& key, Value value) {
      if (stop_ && !out.empty()) return;
      path_.push_back(Step{&key, 0});
      auto prop = r.props ? r.props->find(key) : json::const_iterator();
      if (r.props && prop != r.props->end()) {
        walk(*prop, value, depth + 1);
      } else if (r.patterns && matched(*r.patterns, key)) {
        // x-* extensions: anything goes.
      } else if (r.extra) {
        walk(*r.extra, value, depth + 1);
      } else if (r.closed) {
        out.push_back(Violation{segments(), true, "unknown key \"" + key + "\""});
      }
      path_.pop_back();
    });
  }

  std::vector<std::string> segments() const {
    std::vector<std::string> segs;
    for (const Step& s : path_) segs.push_back(s.key ? *s.key : std::to_string(s.index));
    return segs;
  }

  const json& root_;
  bool stop_;
  std::vector<Step> path_;
  std::unordered_map<const json*, const json*> resolved_;
  std::unordered_map<const json*, Rules> rules_;
};

}  // namespace schema
