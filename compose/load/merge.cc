#include "compose/load/merge.h"

#include <algorithm>
#include <set>

#include "engine/base/strings.h"

namespace compose::load {
namespace {

bool is_resource_root(const std::string& k) {
  return k == "services" || k == "networks" || k == "volumes" || k == "secrets" || k == "configs";
}

std::string child_pattern(const std::string& pattern, const std::string& key) {
  if (pattern.empty()) return key;
  if (is_resource_root(pattern) || pattern == "services.*.ulimits") return pattern + ".*";
  return pattern + "." + key;
}

/// Lists of "K=V" / "K" (or mappings) become a mapping; "K" alone maps to null.
Node to_keyed_map(const Node& n, char sep = '=') {
  if (!n.is_seq()) return n;
  Node m = Node::map(n.mark);
  for (const Node& item : n.items) {
    if (item.is_map()) {  // e.g. depends_on long syntax inside a list is not valid; keep entries
      for (const Entry& e : item.entries) m.set(e.key, e.value);
      continue;
    }
    std::string t = item.text;
    size_t p = t.find(sep);
    if (sep == ':' && p == std::string::npos) p = t.find('=');
    if (p == std::string::npos) m.entries.push_back(Entry{t, item.mark, Node::null(item.mark)});
    else m.set(std::string(engine::base::trim(t.substr(0, p))), Node::str(t.substr(p + 1), item.mark));
  }
  return m;
}

/// Short volume syntax "src:target[:mode]" -> target; long syntax -> target key.
std::string volume_key(const Node& v) {
  if (v.is_map()) return v.get_text("target");
  std::vector<std::string> parts = engine::base::split(v.text, ':');
  if (parts.size() == 1) return parts[0];
  return parts[1];
}

/// Secrets/configs: short "name" or long {source, target}.
std::string file_ref_key(const Node& v) {
  if (v.is_map()) {
    std::string t = v.get_text("target");
    return t.empty() ? v.get_text("source") : t;
  }
  return v.text;
}

/// Merges sequences of entries identified by key: an override entry replaces the base one.
void merge_by_key(Node& base, Node&& over, std::string (*key)(const Node&)) {
  for (Node& o : over.items) {
    std::string k = key(o);
    auto it = std::find_if(base.items.begin(), base.items.end(), [&](const Node& b) { return key(b) == k; });
    if (it != base.items.end()) *it = std::move(o);
    else base.items.push_back(std::move(o));
  }
}

/// Appends override items that base does not already contain.
void append_unique(Node& base, Node&& over) {
  std::set<std::string> seen;
  for (const Node& b : base.items) seen.insert(to_json(b).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  for (Node& o : over.items)
    if (seen.insert(to_json(o).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).second) base.items.push_back(std::move(o));
}

enum class Rule { Default, Replace, KeyedMap, ColonMap, NameMap, ByVolumeTarget, ByFileTarget, Build, Logging, StringOrList };

Rule rule_for(const std::string& p) {
  static const char* kReplace[] = {"services.*.command", "services.*.entrypoint", "services.*.healthcheck.test"};
  static const char* kKeyed[] = {"services.*.environment",  "services.*.labels",       "services.*.sysctls",
                                 "services.*.build.args",   "services.*.build.labels", "services.*.deploy.labels",
                                 "services.*.annotations",  "networks.*.labels",       "volumes.*.labels",
                                 "services.*.build.additional_contexts"};
  static const char* kNamed[] = {"services.*.depends_on", "services.*.networks"};
  for (const char* r : kReplace)
    if (p == r) return Rule::Replace;
  for (const char* r : kKeyed)
    if (p == r) return Rule::KeyedMap;
  for (const char* r : kNamed)
    if (p == r) return Rule::NameMap;
  if (p == "services.*.extra_hosts" || p == "services.*.build.extra_hosts") return Rule::ColonMap;
  if (p == "services.*.volumes") return Rule::ByVolumeTarget;
  if (p == "services.*.secrets" || p == "services.*.configs") return Rule::ByFileTarget;
  if (p == "services.*.build") return Rule::Build;
  if (p == "services.*.logging") return Rule::Logging;
  if (p == "services.*.dns" || p == "services.*.env_file") return Rule::StringOrList;
  return Rule::Default;
}

}  // namespace

void merge_nodes(Node& base, Node over, const std::string& pattern) {
  if (over.tag == Tag::Reset || over.tag == Tag::Override) {
    base = std::move(over);
    return;
  }
  Rule rule = rule_for(pattern);
  switch (rule) {
    case Rule::Replace:
      base = std::move(over);
      return;
    case Rule::KeyedMap:
    case Rule::ColonMap:
    case Rule::NameMap: {
      char sep = rule == Rule::ColonMap ? ':' : '=';
      if (base.is_seq() || over.is_seq() || base.is_map() || over.is_map()) {
        Node b = to_keyed_map(base, sep), o = to_keyed_map(over, sep);
        if (b.is_map() && o.is_map()) {
          for (Entry& e : o.entries) {
            Node* existing = b.find(e.key);
            if (existing && rule == Rule::NameMap && existing->is_map() && e.value.is_map())
              merge_nodes(*existing, std::move(e.value), pattern + ".*");
            else if (existing && (rule != Rule::NameMap || !e.value.is_null()))
              *existing = std::move(e.value);
            else if (!existing)
              b.entries.push_back(std::move(e));
          }
          base = std::move(b);
          return;
        }
      }
      base = std::move(over);
      return;
    }
    case Rule::ByVolumeTarget:
    case Rule::ByFileTarget:
      if (base.is_seq() && over.is_seq()) {
        merge_by_key(base, std::move(over), rule == Rule::ByVolumeTarget ? volume_key : file_ref_key);
        return;
      }
      base = std::move(over);
      return;
    case Rule::Build:
      if (base.is_scalar()) {
        Node m = Node::map(base.mark);
        m.set("context", base);
        base = std::move(m);
      }
      if (over.is_scalar()) {
        Node m = Node::map(over.mark);
        m.set("context", over);
        over = std::move(m);
      }
      break;
    case Rule::Logging:
      if (base.is_map() && over.is_map()) {
        const Node* bd = base.find("driver");
        const Node* od = over.find("driver");
        if (bd && od && bd->text != od->text) {
          base = std::move(over);
          return;
        }
      }
      break;
    case Rule::StringOrList:
      // A single string is a list of one (docker compose reads both forms as lists first).
      for (Node* n : {&base, &over})
        if (n->is_scalar()) {
          Node l = Node::seq(n->mark);
          l.items.push_back(std::move(*n));
          *n = std::move(l);
        }
      break;
    case Rule::Default:
      break;
  }
  if (base.is_map() && over.is_map()) {
    for (Entry& e : over.entries) {
      Node* existing = base.find(e.key);
      if (!existing) base.entries.push_back(std::move(e));
      else merge_nodes(*existing, std::move(e.value), child_pattern(pattern, e.key));
    }
    return;
  }
  if (base.is_seq() && over.is_seq()) {
    append_unique(base, std::move(over));
    return;
  }
  base = std::move(over);
}

void drop_reset(Node& n) {
  if (n.is_map()) {
    n.entries.erase(std::remove_if(n.entries.begin(), n.entries.end(),
                                   [](const Entry& e) { return e.value.tag == Tag::Reset; }),
                    n.entries.end());
    for (Entry& e : n.entries) drop_reset(e.value);
  } else if (n.is_seq()) {
    n.items.erase(std::remove_if(n.items.begin(), n.items.end(), [](const Node& i) { return i.tag == Tag::Reset; }),
                  n.items.end());
    for (Node& i : n.items) drop_reset(i);
  }
  n.tag = Tag::None;
}

}  // namespace compose::load
