#pragma once
/// Semantic validation of the normalized tree (after the schema check): references to
/// undefined services, networks, volumes, secrets and configs; image or build present;
/// container_name with more than one replica; dependency cycles (the cycle is printed).
#include "compose/load/node.h"

namespace compose::load {

/// Adds one located error per problem to diags.
void validate_project(const Node& root, Diagnostics& diags);

}  // namespace compose::load
