#include "compose/graph/graph.h"

#include <algorithm>
#include <functional>

#include "engine/base/strings.h"

namespace compose::graph {

void Graph::add_node(const std::string& name) { deps_[name]; }

void Graph::add_edge(const std::string& from, const std::string& to) {
  deps_[from].insert(to);
  deps_[to];
}

std::string service_of_network_mode(const std::string& mode) {
  return engine::base::starts_with(mode, "service:") ? mode.substr(8) : "";
}

std::string service_of_volumes_from(const std::string& entry) {
  if (engine::base::starts_with(entry, "container:")) return "";
  if (engine::base::starts_with(entry, "service:")) return engine::base::split(entry.substr(8), ':')[0];
  return engine::base::split(entry, ':')[0];
}

std::string service_of_link(const std::string& link) { return engine::base::split(link, ':')[0]; }

std::set<std::string> implicit_dependencies(const model::Service& s) {
  std::set<std::string> out;
  if (std::string n = service_of_network_mode(s.network_mode); !n.empty()) out.insert(n);
  for (const std::string& v : s.volumes_from)
    if (std::string n = service_of_volumes_from(v); !n.empty()) out.insert(n);
  for (const std::string& l : s.links) out.insert(service_of_link(l));
  return out;
}

Graph Graph::from_project(const model::Project& p) {
  Graph g;
  for (const auto& [name, s] : p.services) {
    g.add_node(name);
    for (const auto& [dep, d] : s.depends_on) {
      if (!d.required && !p.services.count(dep)) continue;
      g.add_edge(name, dep);
    }
    for (const std::string& dep : implicit_dependencies(s)) g.add_edge(name, dep);
  }
  return g;
}

const std::set<std::string>& Graph::dependencies(const std::string& name) const {
  static const std::set<std::string> kEmpty;
  auto it = deps_.find(name);
  return it == deps_.end() ? kEmpty : it->second;
}

std::set<std::string> Graph::dependents(const std::string& name) const {
  std::set<std::string> out;
  for (const auto& [n, d] : deps_)
    if (d.count(name)) out.insert(n);
  return out;
}

std::vector<std::string> Graph::nodes() const {
  std::vector<std::string> out;
  for (const auto& [n, d] : deps_) out.push_back(n);
  return out;
}

std::optional<std::vector<std::string>> Graph::find_cycle() const {
  enum class State { New, Active, Done };
  std::map<std::string, State> state;
  std::vector<std::string> stack;
  std::optional<std::vector<std::string>> found;
  // Iterative DFS would be nicer for huge graphs; compose files have at most thousands of services.
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    state[n] = State::Active;
    stack.push_back(n);
    for (const std::string& d : dependencies(n)) {
      State s = state.count(d) ? state[d] : State::New;
      if (s == State::Active) {
        auto it = std::find(stack.begin(), stack.end(), d);
        std::vector<std::string> cycle(it, stack.end());
        cycle.push_back(d);
        found = cycle;
        return true;
      }
      if (s == State::New && visit(d)) return true;
    }
    stack.pop_back();
    state[n] = State::Done;
    return false;
  };
  for (const auto& [n, d] : deps_)
    if (!state.count(n) && visit(n)) return found;
  return std::nullopt;
}

engine::base::Result<std::vector<std::vector<std::string>>> Graph::levels() const {
  if (auto c = find_cycle()) return engine::base::invalid("dependency cycle: " + engine::base::join(*c, " -> "));
  std::map<std::string, int> level;
  std::function<int(const std::string&)> depth = [&](const std::string& n) {
    auto it = level.find(n);
    if (it != level.end()) return it->second;
    int l = 0;
    for (const std::string& d : dependencies(n)) l = std::max(l, depth(d) + 1);
    level[n] = l;
    return l;
  };
  std::vector<std::vector<std::string>> out;
  for (const auto& [n, d] : deps_) {
    int l = depth(n);
    if (static_cast<int>(out.size()) <= l) out.resize(l + 1);
    out[l].push_back(n);
  }
  return out;
}

engine::base::Result<std::vector<std::string>> Graph::start_order() const {
  auto lv = levels();
  if (!lv) return lv.take_error();
  std::vector<std::string> out;
  for (const auto& l : *lv) out.insert(out.end(), l.begin(), l.end());
  return out;
}

}  // namespace compose::graph
