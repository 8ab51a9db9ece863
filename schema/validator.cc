#include "schema/validator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "schema/unknown_keys.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace schema {

extern const char* const kComposeSchema;

namespace {

/// The schema without its key rules (patternProperties, additionalProperties: false):
/// unknown_keys() checks those, all of them at once. valijson compiles a std::regex for
/// every object with patternProperties, which was a third of the validation time.
nlohmann::json without_key_rules(const nlohmann::json& s) {
  if (s.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : s) out.push_back(without_key_rules(v));
    return out;
  }
  if (!s.is_object()) return s;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (it.key() == "patternProperties") continue;
    if (it.key() == "additionalProperties" && it->is_boolean() && !it->get<bool>()) continue;
    out[it.key()] = without_key_rules(*it);
  }
  return out;
}

/// valijson context ("<root>", "[services]", "[web]", "[0]") -> plain segments.
std::vector<std::string> segments(const std::vector<std::string>& ctx) {
  std::vector<std::string> out;
  for (const std::string& c : ctx) {
    if (c == "<root>") continue;
    std::string s = c;
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    out.push_back(s);
  }
  return out;
}

const nlohmann::json* at(const nlohmann::json& doc, const std::vector<std::string>& path) {
  const nlohmann::json* cur = &doc;
  for (const std::string& s : path) {
    if (cur->is_object()) {
      auto it = cur->find(s);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      size_t i = std::stoul(s);
      if (i >= cur->size()) return nullptr;
      cur = &(*cur)[i];
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::string type_name(const nlohmann::json* v) {
  if (!v) return "value";
  switch (v->type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "list";
    case nlohmann::json::value_t::object: return "mapping";
    case nlohmann::json::value_t::number_float: return "number";
    default: return "integer";
  }
}

bool aggregate(const std::string& d) {
  static const char* kNoise[] = {"Failed to validate item #", "Failed to validate against any",
                                 "Failed to validate against exactly one", "Failed to validate against child schema",
                                 "Failed to validate against schema associated", "Failed to validate against additional",
                                 "Failed to validate against dependent"};
  for (const char* n : kNoise)
    if (d.rfind(n, 0) == 0) return true;
  return false;
}

/// Rewrites a valijson description in compose's words; may extend the path.
std::string rewrite(const nlohmann::json& doc, std::vector<std::string>& path, const std::string& d) {
  const nlohmann::json* v = at(doc, path);
  if (d.rfind("Value type not permitted", 0) == 0) return "a " + type_name(v) + " is not allowed here";
  if (d.rfind("Failed to match against any enum", 0) == 0 || d.rfind("Failed to match regex", 0) == 0)
    return "invalid value " + (v ? v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : std::string());
  if (d.rfind("Missing required property '", 0) == 0) {
    std::string key = d.substr(27, d.find('\'', 27) - 27);
    return "missing required property \"" + key + "\"";
  }
  if (d.rfind("Elements at indexes", 0) == 0) return "items must be unique";
  std::string out = d;
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_prefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() < b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

const nlohmann::json& compose_schema_json() {
  static const nlohmann::json doc = nlohmann::json::parse(kComposeSchema);
  return doc;
}

const valijson::Schema& compose_schema_compiled() {
  static const std::unique_ptr<valijson::Schema> s = [] {
    auto out = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser;
    nlohmann::json stripped = without_key_rules(compose_schema_json());
    valijson::adapters::NlohmannJsonAdapter adapter(stripped);
    parser.populateSchema(adapter, *out);
    return out;
  }();
  return *s;
}

const std::string& compose_schema_text() {
  static const std::string s(kComposeSchema);
  return s;
}

std::vector<Violation> validate_compose(const nlohmann::json& doc) {
  // Unknown keys come from unknown_keys() (every one of them); valijson checks the rest.
  std::vector<Violation> all = unknown_keys(compose_schema_json(), doc);
  valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  // A first pass without results: valijson then neither words messages for the branches
  // of a oneOf that do not match nor goes on after the first violation.
  if (validator.validate(compose_schema_compiled(), target, nullptr) && all.empty()) return {};
  valijson::ValidationResults results;
  validator.validate(compose_schema_compiled(), target, &results);
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    if (aggregate(e.description)) continue;
    Violation v;
    v.path = segments(e.context);
    v.message = rewrite(doc, v.path, e.description);
    all.push_back(std::move(v));
  }
  // Keep the most specific message: drop one whose path is a prefix of another's, and
  // keep the first message per path.
  std::vector<Violation> out;
  std::map<std::vector<std::string>, bool> seen;
  for (const Violation& v : all) {
    bool shadowed = std::any_of(all.begin(), all.end(), [&](const Violation& o) { return is_prefix(v.path, o.path); });
    if (shadowed || seen[v.path]) continue;
    seen[v.path] = true;
    out.push_back(v);
  }
  return out;
}

bool services_judged_alone() {
  static const bool alone = [] {
    const nlohmann::json& s = compose_schema_json();
    for (auto it = s.begin(); it != s.end(); ++it)
      if (!std::set<std::string>{"$schema", "$id", "title", "description", "type", "properties", "patternProperties",
                                 "additionalProperties", "definitions"}
               .count(it.key()))
        return false;
    const nlohmann::json* services = at(s, {"properties", "services"});
    if (!services || !services->is_object() || services->value("type", "") != "object") return false;
    for (auto it = services->begin(); it != services->end(); ++it)
      if (it.key() != "type" && it.key() != "description" && it.key() != "additionalProperties") return false;
    return true;
  }();
  return alone;
}

std::vector<Violation> unknown_compose_keys(const nlohmann::json& doc) {
  return unknown_keys(compose_schema_json(), doc);
}

std::string format_path(const nlohmann::json& doc, const std::vector<std::string>& path) {
  std::string out;
  const nlohmann::json* cur = &doc;
  for (const std::string& s : path) {
    if (cur && cur->is_array()) {
      out += "[" + s + "]";
      size_t i = std::stoul(s);
      cur = i < cur->size() ? &(*cur)[i] : nullptr;
    } else {
      if (!out.empty()) out += ".";
      out += s;
      cur = cur && cur->is_object() && cur->contains(s) ? &(*cur)[s] : nullptr;
    }
  }
  return out;
}

}  // namespace schema
