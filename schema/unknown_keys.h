#pragma once
/// Unknown keys: every key of a mapping that the schema does not allow (valijson stops at
/// the first one per mapping). Walks our compose schema beside the document, following
/// $ref, properties, patternProperties, additionalProperties, items and the one branch
/// of a oneOf/anyOf that accepts the value's type.
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/validator.h"

namespace schema {

/// Unknown keys of doc under schema (both JSON); each Violation names the key.
/// checked gets the path of every mapping whose keys were checked.
std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc,
                                    std::set<std::vector<std::string>>& checked);

}  // namespace schema
