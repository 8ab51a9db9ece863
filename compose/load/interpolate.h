#pragma once
/// Interpolation stage: substitutes $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?msg},
/// ${VAR?msg}, ${VAR:+alt}, ${VAR+alt} (nested defaults allowed) and $$ in scalar
/// values (never keys). Variables come from an injected Environment.
#include <set>
#include <string>

#include "compose/load/environment.h"
#include "compose/load/node.h"
#include "engine/base/error.h"

namespace compose::load {

/// Substitutes variables in one string; errors name the expression ("invalid interpolation format ...").
engine::base::Result<std::string> interpolate_string(const std::string& s, const Environment& env);

/// Substitutes in every scalar value of the tree; errors are added to diags with their location.
/// unset (when given) collects the variables that were not set and became blank ($X, ${X}).
void interpolate_tree(Node& root, const Environment& env, Diagnostics& diags, std::set<std::string>* unset = nullptr);

}  // namespace compose::load
