#pragma once
/// Unknown keys: every key of a mapping that the schema does not allow (valijson stops at
/// the first one per mapping, and matches patternProperties with a std::regex built per
/// object). Walks our compose schema beside the document, following $ref, properties,
/// patternProperties ("^prefix" patterns), additionalProperties, items and the one branch
/// of a oneOf/anyOf that accepts the value's type. validate_compose() leaves these rules
/// to this walk and the rest of the schema to valijson.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/validator.h"

namespace schema {

/// Unknown keys of doc under schema (both JSON); each Violation names the key.
std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc);

}  // namespace schema
