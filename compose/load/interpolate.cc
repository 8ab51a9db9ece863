#include "compose/load/interpolate.h"

#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/model/parallel.h"

namespace compose::load {
namespace {

using engine::base::invalid;

bool name_start(char c) { return c == '_' || std::isalpha(static_cast<unsigned char>(c)); }
bool name_char(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }

/// Index of the '}' closing the "${" that starts at open, honouring nested ${...}; npos if none.
size_t closing_brace(const std::string& s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') {
      ++i;
      continue;
    }
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      ++depth;
      ++i;
      continue;
    }
    if (s[i] == '}' && --depth == 0) return i;
  }
  return std::string::npos;
}

/// unset (when given) collects the variables substituted as blank because they are not set.
engine::base::Result<std::string> substitute(const std::string& s, const Environment& env, int depth,
                                             std::set<std::string>* unset = nullptr);

/// Evaluates the inside of ${...}.
engine::base::Result<std::string> braced(const std::string& whole, const std::string& body, const Environment& env,
                                         int depth, std::set<std::string>* unset) {
  auto bad = [&] { return invalid("invalid interpolation format for \"" + whole + "\""); };
  if (body.empty() || !name_start(body[0])) return bad();
  size_t i = 1;
  while (i < body.size() && name_char(body[i])) ++i;
  std::string name = body.substr(0, i);
  std::optional<std::string> val = env.get(name);
  if (i == body.size()) {
    if (!val && unset) unset->insert(name);
    return val.value_or("");
  }
  bool colon = body[i] == ':';
  if (colon) ++i;
  if (i >= body.size()) return bad();
  char op = body[i];
  if (op != '-' && op != '?' && op != '+') return bad();
  std::string arg = body.substr(i + 1);
  bool set = colon ? (val && !val->empty()) : val.has_value();
  switch (op) {
    case '-':
      if (set) return *val;
      return substitute(arg, env, depth + 1, unset);
    case '+':
      if (!set) return std::string();
      return substitute(arg, env, depth + 1, unset);
    default: {
      if (set) return *val;
      auto msg = substitute(arg, env, depth + 1);
      if (!msg) return msg;
      std::string m = "required variable " + name + " is missing a value";
      if (!msg->empty()) m += ": " + *msg;
      return invalid(m);
    }
  }
}

engine::base::Result<std::string> substitute(const std::string& s, const Environment& env, int depth,
                                             std::set<std::string>* unset) {
  if (depth > 32) return invalid("interpolation nested too deeply in \"" + s + "\"");
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) return invalid("invalid interpolation format for \"" + s + "\": a lone $ must be written $$");
    char n = s[i + 1];
    if (n == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (n == '{') {
      size_t close = closing_brace(s, i);
      if (close == std::string::npos)
        return invalid("invalid interpolation format for \"" + s.substr(i) + "\": missing closing brace");
      auto v = braced(s.substr(i, close - i + 1), s.substr(i + 2, close - i - 2), env, depth, unset);
      if (!v) return v;
      out += *v;
      i = close;
      continue;
    }
    if (name_start(n)) {
      size_t j = i + 1;
      while (j < s.size() && name_char(s[j])) ++j;
      std::string name = s.substr(i + 1, j - i - 1);
      std::optional<std::string> val = env.get(name);
      if (!val && unset) unset->insert(name);
      out += val.value_or("");
      i = j - 1;
      continue;
    }
    return invalid("invalid interpolation format for \"" + s + "\": a lone $ must be written $$");
  }
  return out;
}

}  // namespace

engine::base::Result<std::string> interpolate_string(const std::string& s, const Environment& env) {
  if (s.find('$') == std::string::npos) return s;
  return substitute(s, env, 0);
}

namespace {

/// The path of the node being visited, kept as a chain so it is only formatted on error.
struct Trail {
  const Trail* parent;
  const std::string* key;  // nullptr for a sequence index
  size_t index;
  std::string str() const {
    std::string head = parent ? parent->str() : "";
    if (!key) return head + "[" + std::to_string(index) + "]";
    return head.empty() ? *key : head + "." + *key;
  }
};

void walk(Node& n, const Environment& env, Diagnostics& diags, const Trail* trail, std::set<std::string>* unset) {
  switch (n.kind) {
    case Kind::Scalar: {
      if (n.text.find('$') == std::string::npos) return;
      auto r = substitute(n.text, env, 0, unset);
      if (!r) diags.add(n.mark, trail ? trail->str() : "", r.error().message);
      else n.text = std::move(*r);
      return;
    }
    case Kind::Sequence:
      for (size_t i = 0; i < n.items.size(); ++i) {
        Trail t{trail, nullptr, i};
        walk(n.items[i], env, diags, &t, unset);
      }
      return;
    case Kind::Mapping:
      for (Entry& e : n.entries) {
        Trail t{trail, &e.key, 0};
        walk(e.value, env, diags, &t, unset);
      }
      return;
    case Kind::Null:
      return;
  }
}

}  // namespace

void interpolate_tree(Node& root, const Environment& env, Diagnostics& diags, std::set<std::string>* unset) {
  Node* services = root.is_map() ? root.find("services") : nullptr;
  if (!services || !services->is_map() || services->entries.size() < 64 || !model::can_split())
    return walk(root, env, diags, nullptr, unset);
  // A big project does the second half of its services on a second thread: values are
  // substituted independently, and diagnostics are sorted when printed.
  static const std::string kServices = "services";
  Trail top{nullptr, &kServices, 0};
  std::vector<Entry>& all = services->entries;
  auto run = [&](size_t from, size_t to, Diagnostics& d, std::set<std::string>* u) {
    for (size_t i = from; i < to; ++i) {
      Trail t{&top, &all[i].key, 0};
      walk(all[i].value, env, d, &t, u);
    }
  };
  Diagnostics second;
  std::set<std::string> second_unset;
  model::run_both(
      [&] {
        for (Entry& e : root.entries) {
          if (&e.value == services) continue;
          Trail t{nullptr, &e.key, 0};
          walk(e.value, env, diags, &t, unset);
        }
        run(0, all.size() / 2, diags, unset);
      },
      [&] { run(all.size() / 2, all.size(), second, unset ? &second_unset : nullptr); });
  diags.append(std::move(second));
  if (unset) unset->merge(second_unset);
}

}  // namespace compose::load
