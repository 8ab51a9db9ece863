#include "schema/unknown_keys.h"

namespace schema {
namespace {

/// KeyWalker's view of an nlohmann::json document.
struct JsonAccess {
  using Value = const nlohmann::json&;
  static bool is_object(Value v) { return v.is_object(); }
  static bool is_array(Value v) { return v.is_array(); }
  template <class F>
  static void items(Value v, F f) {
    for (size_t i = 0; i < v.size(); ++i) f(i, v[i]);
  }
  template <class F>
  static void members(Value v, F f) {
    for (auto it = v.begin(); it != v.end(); ++it) f(it.key(), it.value());
  }
};

}  // namespace

std::vector<Violation> unknown_keys(const nlohmann::json& schema, const nlohmann::json& doc) {
  KeyWalker<JsonAccess> w(schema, false);
  w.walk(schema, doc, 0);
  return std::move(w.out);
}

}  // namespace schema
