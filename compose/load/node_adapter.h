#pragma once
/// A valijson adapter over the Node tree, so the schema check reads the tree itself instead
/// of a JSON copy of it. Values are typed exactly as scalar_value() types them (and as
/// to_json() converts them): null, bool, int, double or string. A NodeView can also stand
/// for one part of a project split for a check on two threads (ProjectPart).
/// Include this header only where valijson is needed (compose/load/node_check.cc, tests).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/exceptions.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "compose/load/node.h"
#include "compose/load/node_check.h"

namespace compose::load {

class NodeAdapter;
class NodeArrayIterator;
class NodeMemberIterator;

/// A member of a mapping as valijson wants it: key and value.
using NodeObjectMember = std::pair<std::string, NodeAdapter>;

/// A sequence node for valijson.
class NodeArray {
 public:
  using const_iterator = NodeArrayIterator;
  using iterator = NodeArrayIterator;
  NodeArray() : node_(&empty()) {}
  explicit NodeArray(const Node& n) : node_(&n) {}
  NodeArrayIterator begin() const;
  NodeArrayIterator end() const;
  size_t size() const { return node_->items.size(); }

 private:
  static const Node& empty() {
    static const Node n = Node::seq();
    return n;
  }
  const Node* node_;
};

/// A mapping (or a part's view of one) for valijson.
class NodeObject {
 public:
  using const_iterator = NodeMemberIterator;
  using iterator = NodeMemberIterator;
  NodeObject() : view_{&empty(), nullptr} {}
  explicit NodeObject(NodeView v) : view_(v) {}
  NodeMemberIterator begin() const;
  NodeMemberIterator end() const;
  NodeMemberIterator find(const std::string& key) const;
  size_t size() const { return static_cast<size_t>(view_.entries_end() - view_.entries_begin()); }

 private:
  static const Node& empty() {
    static const Node n = Node::map();
    return n;
  }
  NodeView view_;
};

/// One value for valijson; a scalar is typed once, when its type is first asked.
class NodeValue {
 public:
  NodeValue() : NodeValue(NodeView{&empty(), nullptr}) {}
  explicit NodeValue(NodeView v) : view_(v) {}

  /// A copy of the value as JSON (valijson freezes schema values, rarely targets).
  valijson::adapters::FrozenValue* freeze() const {
    return new valijson::adapters::NlohmannJsonFrozenValue(to_json(*view_.node));
  }
  ::opt::optional<NodeArray> getArrayOptional() const {
    if (isArray()) return ::opt::make_optional(NodeArray(*view_.node));
    return {};
  }
  bool getArraySize(size_t& out) const {
    if (!isArray()) return false;
    out = view_.node->items.size();
    return true;
  }
  bool getBool(bool& out) const {
    if (!isBool()) return false;
    out = typed().b;
    return true;
  }
  bool getDouble(double& out) const {
    if (!isDouble()) return false;
    out = typed().d;
    return true;
  }
  bool getInteger(int64_t& out) const {
    if (!isInteger()) return false;
    out = typed().i;
    return true;
  }
  ::opt::optional<NodeObject> getObjectOptional() const {
    if (isObject()) return ::opt::make_optional(NodeObject(view_));
    return {};
  }
  bool getObjectSize(size_t& out) const {
    if (!isObject()) return false;
    out = NodeObject(view_).size();
    return true;
  }
  bool getString(std::string& out) const {
    if (!isString()) return false;
    out = view_.node->text;
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return view_.node->kind == Kind::Sequence; }
  bool isObject() const { return view_.node->kind == Kind::Mapping; }
  bool isBool() const { return scalar(ScalarType::Bool); }
  bool isDouble() const { return scalar(ScalarType::Float); }
  bool isInteger() const { return scalar(ScalarType::Int); }
  bool isNull() const { return scalar(ScalarType::Null); }
  bool isNumber() const { return isInteger() || isDouble(); }
  bool isString() const { return scalar(ScalarType::String); }

 private:
  static const Node& empty() {
    static const Node n = Node::map();
    return n;
  }
  const TypedScalar& typed() const {
    if (!typed_done_) typed_ = scalar_typed(*view_.node), typed_done_ = true;
    return typed_;
  }
  bool scalar(ScalarType t) const {
    Kind k = view_.node->kind;
    return (k == Kind::Scalar || k == Kind::Null) && typed().type == t;
  }
  NodeView view_;
  mutable bool typed_done_ = false;
  mutable TypedScalar typed_;
};

/// The adapter valijson validates: valijson::Validator::validate(schema, NodeAdapter(view), ...).
class NodeAdapter
    : public valijson::adapters::BasicAdapter<NodeAdapter, NodeArray, NodeObjectMember, NodeObject, NodeValue> {
 public:
  NodeAdapter() = default;
  explicit NodeAdapter(NodeView v) : BasicAdapter(NodeValue(v)) {}
};

/// What both iterators share: a pointer stepped one element at a time; Self's operator*
/// makes the value (Out) of the element it points at.
template <class Self, class Elem, class Out>
class SteppingIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = Out;
  using difference_type = std::ptrdiff_t;
  using pointer = Out*;
  using reference = Out&;

  valijson::adapters::DerefProxy<Out> operator->() const {
    return valijson::adapters::DerefProxy<Out>(*static_cast<const Self&>(*this));
  }
  bool operator==(const Self& o) const { return at_ == o.at_; }
  bool operator!=(const Self& o) const { return at_ != o.at_; }
  const Self& operator++() {
    ++at_;
    return static_cast<const Self&>(*this);
  }
  Self operator++(int) {
    Self pre(static_cast<const Self&>(*this));
    ++at_;
    return pre;
  }
  const Self& operator--() {
    --at_;
    return static_cast<const Self&>(*this);
  }
  void advance(std::ptrdiff_t n) { at_ += n; }

 protected:
  explicit SteppingIterator(const Elem* at) : at_(at) {}
  const Elem* at_;
};

/// Iterates a sequence's items as adapters.
class NodeArrayIterator : public SteppingIterator<NodeArrayIterator, Node, NodeAdapter> {
 public:
  explicit NodeArrayIterator(const Node* at) : SteppingIterator(at) {}
  NodeAdapter operator*() const { return NodeAdapter(NodeView{at_, nullptr}); }
};

/// Iterates a mapping's (or a part's) entries as (key, adapter) members.
class NodeMemberIterator : public SteppingIterator<NodeMemberIterator, Entry, NodeObjectMember> {
 public:
  NodeMemberIterator(NodeView owner, const Entry* at) : SteppingIterator(at), owner_(owner) {}
  NodeObjectMember operator*() const { return NodeObjectMember(at_->key, NodeAdapter(owner_.child(*at_))); }

 private:
  NodeView owner_;
};

inline NodeArrayIterator NodeArray::begin() const { return NodeArrayIterator(node_->items.data()); }
inline NodeArrayIterator NodeArray::end() const {
  return NodeArrayIterator(node_->items.data() + node_->items.size());
}
inline NodeMemberIterator NodeObject::begin() const { return NodeMemberIterator(view_, view_.entries_begin()); }
inline NodeMemberIterator NodeObject::end() const { return NodeMemberIterator(view_, view_.entries_end()); }
inline NodeMemberIterator NodeObject::find(const std::string& key) const {
  // Most keys differ in length or first letter: test those before comparing the whole key.
  // From the end, so a repeated key (the parser refuses them) would find what to_json keeps.
  const Entry* begin = view_.entries_begin();
  const Entry* end = view_.entries_end();
  size_t n = key.size();
  for (const Entry* e = end; e != begin;) {
    --e;
    if (e->key.size() == n && (n == 0 || e->key[0] == key[0]) && e->key == key) return NodeMemberIterator(view_, e);
  }
  return NodeMemberIterator(view_, end);
}

}  // namespace compose::load

namespace valijson::adapters {
/// valijson's name for the adapter (used in its messages).
template <>
struct AdapterTraits<compose::load::NodeAdapter> {
  using DocumentType = compose::load::Node;
  static std::string adapterName() { return "NodeAdapter"; }
};
}  // namespace valijson::adapters
