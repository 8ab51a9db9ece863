#pragma once
/// Semantic validation of the normalized tree (after the schema check): references to
/// undefined services, networks, volumes, secrets and configs; image or build present;
/// container_name with more than one replica; dependency cycles (the cycle is printed).
#include "compose/load/node.h"
#include "compose/load/profiles.h"

namespace compose::load {

/// Adds one located error per problem to diags. A required dependency on a service that
/// profiles switched off (in disabled, when given) says which profiles enable it.
void validate_project(const Node& root, Diagnostics& diags, const DisabledServices* disabled = nullptr);

}  // namespace compose::load
