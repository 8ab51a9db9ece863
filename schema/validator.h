#pragma once
/// Validation of a compose document against our JSON Schema of the Compose
/// Specification (compose.schema.json, embedded at build time), using valijson.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valijson {
class Schema;
}

namespace schema {

/// One schema violation: where (path segments from the root) and why.
struct Violation {
  std::vector<std::string> path;  ///< e.g. {"services", "web", "ports", "0"}
  bool names_key = false;         ///< the last segment is an offending key (point at the key, not its value)
  std::string message;            ///< e.g. "unknown key \"prots\""
};

/// The embedded schema text.
const std::string& compose_schema_text();

/// The embedded schema as JSON, parsed once: the root schema of a KeyWalker
/// (schema/unknown_keys.h).
const nlohmann::json& compose_schema_json();

/// The schema compiled for valijson without its key rules (patternProperties,
/// additionalProperties: false), once: validate_compose() checks those with a KeyWalker.
/// For checks over other document types (a valijson adapter over them) that must judge
/// exactly as validate_compose() does.
const valijson::Schema& compose_schema_compiled();

/// Validates doc (the merged, interpolated compose tree as JSON). Aggregate messages
/// (oneOf, "item #n") are folded into the specific ones; one message per path.
std::vector<Violation> validate_compose(const nlohmann::json& doc);

/// True when the schema judges every service on its own and sets no rule on the services
/// mapping or the top level as a whole (no required keys, no counts): then a document is
/// valid exactly when each part of it is, for parts that share out its top-level keys and
/// its services (each part a document with a services mapping of its own).
bool services_judged_alone();

/// Only the unknown keys of doc (every one of them), for documents whose values are not
/// interpolated yet.
std::vector<Violation> unknown_compose_keys(const nlohmann::json& doc);

/// "services.web.ports[0]" for {"services","web","ports","0"} given the document
/// (array indexes are printed in brackets).
std::string format_path(const nlohmann::json& doc, const std::vector<std::string>& path);

}  // namespace schema
