#include "compose/load/node_check.h"

#include <valijson/schema.hpp>
#include <valijson/validator.hpp>

#include "compose/load/node_adapter.h"
#include "schema/unknown_keys.h"
#include "schema/validator.h"

namespace compose::load {
namespace {

/// schema::KeyWalker's view of the tree.
struct NodeAccess {
  using Value = NodeView;
  static bool is_object(Value v) { return v.node->kind == Kind::Mapping; }
  static bool is_array(Value v) { return v.node->kind == Kind::Sequence; }
  template <class F>
  static void items(Value v, F f) {
    for (size_t i = 0; i < v.node->items.size(); ++i) f(i, NodeView{&v.node->items[i], nullptr});
  }
  template <class F>
  static void members(Value v, F f) {
    for (const Entry* e = v.entries_begin(); e != v.entries_end(); ++e) f(e->key, v.child(*e));
  }
};

bool accepts(NodeView doc, bool keys_only) {
  const nlohmann::json& schema = schema::compose_schema_json();
  schema::KeyWalker<NodeAccess> walker(schema, true);
  walker.walk(schema, doc, 0);
  if (!walker.out.empty()) return false;
  if (keys_only) return true;
  valijson::Validator validator;
  return validator.validate(schema::compose_schema_compiled(), NodeAdapter(doc), nullptr);
}

}  // namespace

bool schema_accepts(const Node& tree, bool keys_only) { return accepts(NodeView{&tree, nullptr}, keys_only); }

bool schema_accepts(const ProjectPart& part, bool keys_only) {
  return accepts(NodeView{part.tree, &part}, keys_only);
}

}  // namespace compose::load
