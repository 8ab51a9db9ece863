#include "compose/load/profiles.h"

#include <algorithm>
#include <set>

namespace compose::load {
namespace {

std::vector<std::string> service_profiles(const Node& svc) {
  std::vector<std::string> out;
  if (const Node* p = svc.find("profiles"))
    for (const Node& i : p->items) out.push_back(i.text);
  return out;
}

std::vector<std::string> dependencies(const Node& svc) {
  std::vector<std::string> out;
  if (const Node* d = svc.find("depends_on")) {
    for (const Node& i : d->items) out.push_back(i.text);
    for (const Entry& e : d->entries) out.push_back(e.key);
  }
  return out;
}

}  // namespace

std::vector<std::string> apply_profiles(Node& root, std::vector<std::string> profiles,
                                        const std::vector<std::string>& named_services, DisabledServices* disabled) {
  Node* services = root.find("services");
  std::set<std::string> active(profiles.begin(), profiles.end());
  if (services && services->is_map()) {
    // Named services (and what they depend on) switch their profiles on.
    std::vector<std::string> todo = named_services;
    std::set<std::string> seen;
    while (!todo.empty()) {
      std::string name = todo.back();
      todo.pop_back();
      if (!seen.insert(name).second) continue;
      const Node* svc = services->find(name);
      if (!svc) continue;
      for (const std::string& p : service_profiles(*svc)) active.insert(p);
      for (const std::string& d : dependencies(*svc)) todo.push_back(d);
    }
    bool all = active.count("*") > 0;
    auto& e = services->entries;
    e.erase(std::remove_if(e.begin(), e.end(),
                           [&](const Entry& s) {
                             if (all || seen.count(s.key)) return false;
                             std::vector<std::string> ps = service_profiles(s.value);
                             if (ps.empty()) return false;
                             bool off = std::none_of(ps.begin(), ps.end(), [&](const std::string& p) { return active.count(p) > 0; });
                             if (off && disabled) (*disabled)[s.key] = ps;
                             return off;
                           }),
            e.end());
  }
  return std::vector<std::string>(active.begin(), active.end());
}

}  // namespace compose::load
