// Desired vs actual -> actions (see planner.h).
#include "compose/plan/planner.h"

#include <algorithm>

#include "compose/graph/graph.h"
#include "compose/model/codec.h"
#include "compose/plan/build.h"
#include "compose/plan/create_body.h"
#include "compose/plan/labels.h"
#include "engine/base/strings.h"

namespace compose::plan {

namespace {

int number_of(const ContainerSummary& c) {
  try {
    return std::stoi(c.label(kLabelNumber));
  } catch (...) {
    return 0;
  }
}

bool is_oneoff(const ContainerSummary& c) { return c.label(kLabelOneoff) == "True"; }

bool image_present(const std::string& image, const Actual& a) {
  auto it = a.image_ids.find(image);
  return it != a.image_ids.end() && !it->second.empty();
}

/// The image must be pulled before its containers can be created.
bool needs_pull(const model::Service& s, const std::string& image, const Actual& a, const UpOptions& o) {
  if (s.image.empty()) return false;  // build-only: built, not pulled
  // A build: service is built, not pulled, unless --no-build leaves a missing image to pull.
  if (s.build && !(o.no_build && !image_present(image, a))) return false;
  std::string policy = s.pull_policy.empty() ? o.pull : s.pull_policy;
  if (o.pull == "always") policy = "always";
  if (policy == "never" || policy == "build") return false;
  if (policy == "always") return true;
  return !image_present(image, a);
}

}  // namespace

const char* step_name(ContainerStep s) {
  switch (s) {
    case ContainerStep::Keep: return "keep";
    case ContainerStep::Start: return "start";
    case ContainerStep::Create: return "create";
    case ContainerStep::Recreate: return "recreate";
    case ContainerStep::Remove: return "remove";
  }
  return "?";
}

int replicas(const model::Service& s, const UpOptions& opts) {
  if (auto it = opts.scale.find(s.name); it != opts.scale.end()) return it->second;
  if (s.deploy && s.deploy->replicas) return static_cast<int>(*s.deploy->replicas);
  if (s.other.contains("scale") && s.other["scale"].is_number_integer()) return s.other["scale"].get<int>();
  return 1;
}

engine::base::Result<std::vector<std::string>> services_in_scope(const model::Project& p,
                                                                 const std::vector<std::string>& named,
                                                                 bool no_deps) {
  graph::Graph g = graph::Graph::from_project(p);
  auto order = g.start_order();
  if (!order) return order.take_error();
  std::set<std::string> scope;
  std::vector<std::string> todo;
  for (const std::string& n : named) {
    if (!p.services.count(n)) return engine::base::not_found("no such service: " + n);
    todo.push_back(n);
  }
  if (named.empty())
    for (const auto& [n, s] : p.services) todo.push_back(n);
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    if (!p.services.count(n) || !scope.insert(n).second) continue;
    if (no_deps) continue;
    for (const std::string& d : g.dependencies(n)) todo.push_back(d);
  }
  std::vector<std::string> out;
  for (const std::string& n : *order)
    if (scope.count(n)) out.push_back(n);
  return out;
}

engine::base::Result<UpPlan> plan_up(const model::Project& p, const Actual& actual, const UpOptions& opts) {
  UpPlan plan;
  auto scope = services_in_scope(p, opts.services, opts.no_deps);
  if (!scope) return scope.take_error();
  plan.services = *scope;

  // Unsupported keys first, every one of them, so the user sees them all at once.
  std::vector<std::string> bad;
  for (const std::string& n : plan.services)
    for (std::string& b : unsupported_keys(p, p.services.at(n))) bad.push_back(std::move(b));
  if (!bad.empty()) return engine::base::invalid(engine::base::join(bad, "\n"));

  // Networks and volumes the services in scope use (external ones must exist).
  std::set<std::string> nets, vols;
  for (const std::string& n : plan.services) {
    const model::Service& s = p.services.at(n);
    if (s.network_mode.empty())
      for (const auto& [net, sn] : s.networks) nets.insert(net);
    for (const model::Mount& m : s.volumes)
      if (m.type == "volume" && !m.source.empty()) vols.insert(m.source);
  }
  for (const std::string& key : nets) {
    auto it = p.networks.find(key);
    if (it == p.networks.end()) return engine::base::not_found("network " + key + " is not declared");
    if (actual.networks.count(it->second.name)) continue;
    if (it->second.external)
      return engine::base::not_found("network " + it->second.name + " declared as external, but could not be found");
    plan.networks.push_back(key);
  }
  for (const std::string& key : vols) {
    auto it = p.volumes.find(key);
    if (it == p.volumes.end()) return engine::base::not_found("volume " + key + " is not declared");
    if (actual.volumes.count(it->second.name)) continue;
    if (it->second.external)
      return engine::base::not_found("volume " + it->second.name + " declared as external, but could not be found");
    plan.volumes.push_back(key);
  }

  std::set<std::string> pulls;
  for (const std::string& n : plan.services) {
    const model::Service& s = p.services.at(n);
    std::string image = service_image(p, s);
    if (needs_pull(s, image, actual, opts)) pulls.insert(image);
    if (needs_build(s, image_present(image, actual), opts.build, opts.no_build)) plan.builds.push_back(n);
    if (s.image.empty() && opts.no_build && !image_present(image, actual))
      return engine::base::not_found("service " + n + ": image " + image + " is not present and --no-build was given");

    std::map<int, const ContainerSummary*> existing;
    for (const ContainerSummary& c : actual.containers)
      if (c.label(kLabelService) == n && !is_oneoff(c)) existing[number_of(c)] = &c;
    std::string hash = model::config_hash(s);
    auto img = actual.image_ids.find(image);
    std::string image_id = img == actual.image_ids.end() ? "" : img->second;
    int want = replicas(s, opts);
    std::vector<ContainerAction>& acts = plan.containers[n];
    // Keep the lowest-numbered existing containers up to the scale, then fill the gaps.
    int kept = 0;
    for (const auto& [num, c] : existing) {
      ContainerAction a{ContainerStep::Keep, n, num, c->id, c->name};
      if (kept >= want) {
        a.step = ContainerStep::Remove;
      } else {
        ++kept;
        bool changed = c->label(kLabelConfigHash) != hash ||
                       (!image_id.empty() && !c->image_id.empty() && c->image_id != image_id);
        if (!opts.no_recreate && (opts.force_recreate || changed)) a.step = ContainerStep::Recreate;
        else if (c->state != "running") a.step = ContainerStep::Start;
      }
      acts.push_back(a);
    }
    for (int num = 1; kept < want; ++num) {
      if (existing.count(num)) continue;
      acts.push_back({ContainerStep::Create, n, num, "", ""});
      ++kept;
    }
    std::sort(acts.begin(), acts.end(),
              [](const ContainerAction& a, const ContainerAction& b) { return a.number < b.number; });
  }
  plan.pulls.assign(pulls.begin(), pulls.end());
  for (const ContainerSummary& c : actual.containers)
    if (!is_oneoff(c) && !p.services.count(c.label(kLabelService))) plan.orphans.push_back(c);
  std::sort(plan.orphans.begin(), plan.orphans.end(),
            [](const ContainerSummary& a, const ContainerSummary& b) { return a.name < b.name; });
  return plan;
}

engine::base::Result<DownPlan> plan_down(const model::Project& p, const Actual& actual, bool volumes,
                                         bool remove_orphans) {
  DownPlan plan;
  graph::Graph g = graph::Graph::from_project(p);
  auto levels = g.levels();
  if (!levels) return levels.take_error();
  std::map<std::string, std::vector<ContainerSummary>> by_service;
  std::vector<ContainerSummary> orphans;
  for (const ContainerSummary& c : actual.containers) {
    std::string svc = c.label(kLabelService);
    if (p.services.count(svc)) by_service[svc].push_back(c);
    else if (remove_orphans) orphans.push_back(c);
  }
  // Orphans first: nothing in the project depends on them any more.
  auto by_name = [](const ContainerSummary& a, const ContainerSummary& b) { return a.name < b.name; };
  if (!orphans.empty()) {
    std::sort(orphans.begin(), orphans.end(), by_name);
    plan.stop_groups.push_back(orphans);
  }
  // Reverse levels: a service stops only after everything that needs it.
  for (auto level = levels->rbegin(); level != levels->rend(); ++level) {
    std::vector<ContainerSummary> group;
    for (const std::string& svc : *level) {
      auto it = by_service.find(svc);
      if (it != by_service.end()) group.insert(group.end(), it->second.begin(), it->second.end());
    }
    if (group.empty()) continue;
    std::sort(group.begin(), group.end(), by_name);
    plan.stop_groups.push_back(std::move(group));
  }
  for (const auto& [key, r] : p.networks)
    if (!r.external && actual.networks.count(r.name)) plan.networks.push_back(r.name);
  if (volumes)
    for (const auto& [key, r] : p.volumes)
      if (!r.external && actual.volumes.count(r.name)) plan.volumes.push_back(r.name);
  return plan;
}

}  // namespace compose::plan
