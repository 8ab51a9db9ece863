#include "compose/load/validate.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "compose/graph/graph.h"
#include "engine/base/strings.h"

namespace compose::load {
namespace {

bool defined(const Node& root, const char* kind, const std::string& name) {
  const Node* top = root.find(kind);
  return top && top->find(name);
}

/// Service names, looked up once per reference (a linear Node::find per reference is
/// quadratic in the number of services).
using Names = std::set<std::string_view>;

/// "[a b]", as docker compose prints a profile list.
std::string bracketed(const std::vector<std::string>& v) { return "[" + engine::base::join(v, " ") + "]"; }

/// Names of services, volumes, secrets and configs: the Compose Specification's ^[a-zA-Z0-9._-]+$.
void check_names(const Node& root, Diagnostics& diags) {
  for (auto [kind, what] : {std::pair{"services", "service"}, std::pair{"volumes", "volume"},
                            std::pair{"secrets", "secret"}, std::pair{"configs", "config"}}) {
    const Node* top = root.find(kind);
    if (!top) continue;
    for (const Entry& e : top->entries) {
      bool ok = !e.key.empty() && std::all_of(e.key.begin(), e.key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
      if (!ok)
        diags.add(e.key_mark, kind,
                  std::string("invalid ") + what + " name \"" + e.key + "\": only letters, digits, '.', '_' and '-' are allowed");
    }
  }
}

void check_service(const Node& root, const Names& services, const Entry& e, graph::Graph& g, Diagnostics& diags,
                   const DisabledServices* disabled) {
  const Node& svc = e.value;
  std::string p = "services." + e.key;
  g.add_node(e.key);
  if (!svc.is_map() && !svc.is_null()) return;
  if (!svc.find("image") && !svc.find("build"))
    diags.add(e.key_mark, p, "service has neither an image nor a build context specified");
  if (const Node* d = svc.find("depends_on"))
    for (const Entry& dep : d->entries) {
      bool required = true;
      if (const Node* r = dep.value.find("required")) scalar_bool(*r, required);
      if (!services.count(dep.key)) {
        auto off = disabled ? disabled->find(dep.key) : DisabledServices::const_iterator();
        if (required && disabled && off != disabled->end())
          diags.add(dep.key_mark, p + ".depends_on",
                    "service \"" + dep.key + "\" is required by \"" + e.key +
                        "\" but is disabled. Can be enabled by profiles " + bracketed(off->second));
        else if (required)
          diags.add(dep.key_mark, p + ".depends_on", "depends on undefined service \"" + dep.key + "\"");
        continue;
      }
      g.add_edge(e.key, dep.key);
    }
  if (const Node* nm = svc.find("network_mode"); nm && nm->is_scalar()) {
    std::string s = graph::service_of_network_mode(nm->text);
    if (!s.empty() && !services.count(s)) diags.add(nm->mark, p + ".network_mode", "undefined service \"" + s + "\"");
    else if (!s.empty()) g.add_edge(e.key, s);
    if (svc.find("networks") && (!s.empty() || nm->text == "host" || nm->text == "none"))
      diags.add(nm->mark, p + ".network_mode", "cannot be combined with networks");
  }
  if (const Node* vf = svc.find("volumes_from"))
    for (size_t i = 0; i < vf->items.size(); ++i) {
      std::string s = graph::service_of_volumes_from(vf->items[i].text);
      if (s.empty()) continue;
      if (!services.count(s))
        diags.add(vf->items[i].mark, p + ".volumes_from[" + std::to_string(i) + "]", "undefined service \"" + s + "\"");
      else g.add_edge(e.key, s);
    }
  if (const Node* links = svc.find("links"))
    for (size_t i = 0; i < links->items.size(); ++i) {
      std::string s = graph::service_of_link(links->items[i].text);
      if (!services.count(s))
        diags.add(links->items[i].mark, p + ".links[" + std::to_string(i) + "]", "undefined service \"" + s + "\"");
      else g.add_edge(e.key, s);
    }
  if (const Node* nets = svc.find("networks"))
    for (const Entry& n : nets->entries)
      if (!defined(root, "networks", n.key))
        diags.add(n.key_mark, p + ".networks." + n.key, "undefined network \"" + n.key + "\"");
  if (const Node* vols = svc.find("volumes"))
    for (size_t i = 0; i < vols->items.size(); ++i) {
      const Node& v = vols->items[i];
      std::string src = v.get_text("source");
      if (v.get_text("type") == "volume" && !src.empty() && !defined(root, "volumes", src))
        diags.add(v.mark, p + ".volumes[" + std::to_string(i) + "]", "undefined volume \"" + src + "\"");
    }
  for (const char* kind : {"secrets", "configs"})
    if (const Node* refs = svc.find(kind))
      for (size_t i = 0; i < refs->items.size(); ++i) {
        std::string src = refs->items[i].get_text("source");
        if (!defined(root, kind, src))
          diags.add(refs->items[i].mark, p + "." + kind + "[" + std::to_string(i) + "]",
                    std::string("undefined ") + (kind[0] == 's' ? "secret" : "config") + " \"" + src + "\"");
      }
  if (const Node* cn = svc.find("container_name")) {
    long replicas = 1;
    if (const Node* d = svc.find("deploy"))
      if (const Node* r = d->find("replicas"); r && r->is_scalar()) {
        nlohmann::json v = scalar_value(*r);
        if (v.is_number_integer()) replicas = v.get<long>();
      }
    if (replicas > 1)
      diags.add(cn->mark, p + ".container_name", "container_name \"" + cn->text + "\" cannot be used with " +
                                                     std::to_string(replicas) + " replicas");
  }
}

}  // namespace

void validate_project(const Node& root, Diagnostics& diags, const DisabledServices* disabled) {
  check_names(root, diags);
  const Node* services = root.find("services");
  if (!services || !services->is_map()) return;
  graph::Graph g;
  Names names;
  for (const Entry& e : services->entries) names.insert(e.key);
  for (const Entry& e : services->entries) check_service(root, names, e, g, diags, disabled);
  if (auto cycle = g.find_cycle()) {
    const Node* svc = services->find(cycle->front());
    const Node* d = svc ? svc->find("depends_on") : nullptr;
    diags.add(d ? d->mark : svc ? svc->mark : root.mark, "services." + cycle->front(),
              "dependency cycle: " + engine::base::join(*cycle, " -> "));
  }
}

}  // namespace compose::load
