#pragma once
/// Merge stage: combines compose files by the Compose Specification's rules. Mappings
/// merge recursively and later scalars win; command, entrypoint and healthcheck.test are
/// replaced; environment, labels, sysctls, build.args, extra_hosts merge by key;
/// depends_on and service networks merge by name; volumes, secrets and configs merge by
/// target; other sequences (ports, expose, dns, ...) are appended without duplicates.
/// !reset removes the value, !override replaces it without merging.
#include "compose/load/node.h"

namespace compose::load {

/// Merges override into base; `pattern` is the base's path with names replaced by '*'
/// ("" for the project root, "services.*" for one service).
void merge_nodes(Node& base, Node over, const std::string& pattern = "");

/// Removes every value tagged !reset (what is left once all files are merged).
void drop_reset(Node& n);

/// Merges a whole project file over another.
inline void merge_projects(Node& base, Node over) { merge_nodes(base, std::move(over), ""); }

}  // namespace compose::load
