#pragma once
/// Parse stage: YAML text -> Node trees (one per document) with locations.
/// Anchors and aliases are resolved here (aliases copy the anchored subtree, within a
/// budget so an alias bomb is refused), merge keys (<<) are applied, and the compose
/// tags !reset / !override are recorded on the nodes.
#include <string>
#include <vector>

#include "compose/load/node.h"
#include "engine/base/error.h"

namespace compose::load {

/// Limits that keep a hostile file from exhausting memory or stack.
struct ParseLimits {
  size_t max_nodes = 1'000'000;  ///< nodes after alias expansion
  int max_depth = 200;           ///< nesting of sequences and mappings
  /// Files this big are parsed as two halves on two threads when their shape allows it
  /// (compose/load/split.h); 0 forces the split whenever possible (tests).
  size_t split_min_bytes = 64 * 1024;
};

/// Parses every document of `text`; `file` names the source in marks and errors.
engine::base::Result<std::vector<Node>> parse_yaml(const std::string& text, const std::string& file,
                                                   const ParseLimits& limits = {});

}  // namespace compose::load
