#pragma once
/// The schema check on the Node tree itself (no JSON copy): yes or no, judged exactly as
/// schema::validate_compose / schema::unknown_compose_keys judge to_json(tree). The
/// messages for a "no" still come from the JSON path (compose/load/loader.cc).
#include <cstddef>

#include "compose/load/node.h"

namespace compose::load {

/// One part of a project for a split check: the top-level keys other than services (when
/// with_top) and services[from, to) of the project's services mapping.
struct ProjectPart {
  const Node* tree = nullptr;
  const Entry* services = nullptr;  ///< the tree's services entry (a mapping)
  size_t from = 0, to = 0;
  bool with_top = true;
};

/// A value as the check sees it: a node, cut to its part when it is the top of a
/// ProjectPart or that part's services mapping.
struct NodeView {
  const Node* node = nullptr;
  const ProjectPart* part = nullptr;

  /// The mapping entries this view shows (all of them for a plain node).
  const Entry* entries_begin() const {
    const Entry* b = node->entries.data();
    if (!part) return b;
    if (node == &part->services->value) return b + part->from;
    return part->with_top ? b : part->services;
  }
  /// One past the last entry this view shows.
  const Entry* entries_end() const {
    const Entry* b = node->entries.data();
    if (!part) return b + node->entries.size();
    if (node == &part->services->value) return b + part->to;
    return part->with_top ? b + node->entries.size() : part->services + 1;
  }
  /// The view of an entry's value (the part follows the services entry of the top).
  NodeView child(const Entry& e) const {
    return NodeView{&e.value, part && &e == part->services && node == part->tree ? part : nullptr};
  }
};

/// True when schema::validate_compose(to_json(tree)) (keys_only:
/// schema::unknown_compose_keys) would find nothing.
bool schema_accepts(const Node& tree, bool keys_only);
/// The same for a part of a project: a document of the part's top-level keys (if any) and a
/// services mapping with its services.
bool schema_accepts(const ProjectPart& part, bool keys_only);

}  // namespace compose::load
