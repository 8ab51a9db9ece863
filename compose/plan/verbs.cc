// stop, start, restart, kill, pause/unpause, rm over the project's existing containers.
#include <algorithm>

#include "compose/graph/graph.h"
#include "compose/plan/labels.h"
#include "compose/plan/orchestrator.h"

namespace compose::plan {

namespace {

std::string service_of(const ContainerSummary& c) {
  auto it = c.labels.find(std::string(kLabelService));
  return it == c.labels.end() ? "" : it->second;
}

/// Containers grouped in start order (reverse = true: stop order) by service.
std::vector<ContainerSummary> ordered(const model::Project& p, std::vector<ContainerSummary> cs, bool reverse) {
  auto order = graph::Graph::from_project(p).start_order();
  std::map<std::string, size_t> rank;
  if (order)
    for (size_t i = 0; i < order->size(); ++i) rank[(*order)[i]] = i;
  std::stable_sort(cs.begin(), cs.end(), [&](const ContainerSummary& a, const ContainerSummary& b) {
    size_t ra = rank[service_of(a)], rb = rank[service_of(b)];
    return reverse ? ra > rb : ra < rb;
  });
  return cs;
}

}  // namespace

engine::base::Status Orchestrator::stop(const model::Project& p, const std::vector<std::string>& services) {
  auto cs = containers(p, services, false);
  if (!cs) return cs.take_error();
  for (const ContainerSummary& c : ordered(p, *cs, true)) {
    emit("Container", c.name, "Stopping");
    if (auto st = engine_.stop_container(c.id, opts_.stop_timeout_s); !st.ok())
      return st.take_error().wrap("stop container " + c.name);
    emit("Container", c.name, "Stopped");
  }
  return {};
}

engine::base::Status Orchestrator::start(const model::Project& p, const std::vector<std::string>& services) {
  auto cs = containers(p, services, true);
  if (!cs) return cs.take_error();
  if (cs->empty()) return engine::base::not_found("no containers to start");
  for (const ContainerSummary& c : ordered(p, *cs, false)) {
    if (c.state == "running") continue;
    emit("Container", c.name, "Starting");
    if (auto st = engine_.start_container(c.id); !st.ok()) return st.take_error().wrap("start container " + c.name);
    emit("Container", c.name, "Started");
  }
  return {};
}

engine::base::Status Orchestrator::restart(const model::Project& p, const std::vector<std::string>& services) {
  auto cs = containers(p, services, true);
  if (!cs) return cs.take_error();
  for (const ContainerSummary& c : ordered(p, *cs, false)) {
    emit("Container", c.name, "Restarting");
    if (auto st = engine_.restart_container(c.id, opts_.stop_timeout_s); !st.ok())
      return st.take_error().wrap("restart container " + c.name);
    emit("Container", c.name, "Started");
  }
  return {};
}

engine::base::Status Orchestrator::kill(const model::Project& p, const std::vector<std::string>& services,
                                        const std::string& signal) {
  auto cs = containers(p, services, false);
  if (!cs) return cs.take_error();
  for (const ContainerSummary& c : ordered(p, *cs, true)) {
    emit("Container", c.name, "Killing");
    if (auto st = engine_.kill_container(c.id, signal); !st.ok())
      return st.take_error().wrap("kill container " + c.name);
    emit("Container", c.name, "Killed");
  }
  return {};
}

engine::base::Status Orchestrator::pause(const model::Project& p, const std::vector<std::string>& services,
                                         bool unpause) {
  auto cs = containers(p, services, false);
  if (!cs) return cs.take_error();
  for (const ContainerSummary& c : ordered(p, *cs, unpause)) {
    if (c.state != (unpause ? "paused" : "running")) continue;
    emit("Container", c.name, unpause ? "Unpausing" : "Pausing");
    auto st = unpause ? engine_.unpause_container(c.id) : engine_.pause_container(c.id);
    if (!st.ok()) return st.take_error().wrap((unpause ? "unpause container " : "pause container ") + c.name);
    emit("Container", c.name, unpause ? "Unpaused" : "Paused");
  }
  return {};
}

engine::base::Status Orchestrator::rm(const model::Project& p, const std::vector<std::string>& services, bool stop,
                                      bool volumes) {
  auto cs = containers(p, services, true);
  if (!cs) return cs.take_error();
  for (const ContainerSummary& c : ordered(p, *cs, true)) {
    if (c.state == "running" || c.state == "paused" || c.state == "restarting") {
      if (!stop) continue;
      emit("Container", c.name, "Stopping");
      if (auto st = engine_.stop_container(c.id, opts_.stop_timeout_s); !st.ok())
        return st.take_error().wrap("stop container " + c.name);
      emit("Container", c.name, "Stopped");
    }
    emit("Container", c.name, "Removing");
    if (auto st = engine_.remove_container(c.id, false, volumes); !st.ok())
      return st.take_error().wrap("remove container " + c.name);
    emit("Container", c.name, "Removed");
  }
  return {};
}

}  // namespace compose::plan
