// Observe, down, --wait and the per-container verbs (see orchestrator.h; `up` is in up_run.cc).
#include "compose/plan/orchestrator.h"

#include <algorithm>
#include <thread>

#include "compose/plan/create_body.h"
#include "compose/plan/labels.h"
#include "engine/base/fs.h"
#include "engine/base/time.h"

namespace compose::plan {

namespace {

/// Runs f on every item concurrently and returns the first error (in item order).
template <class T, class F>
engine::base::Status for_all(const std::vector<T>& items, F f) {
  std::vector<engine::base::Status> results(items.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < items.size(); ++i)
    threads.emplace_back([&, i] { results[i] = f(items[i]); });
  for (std::thread& t : threads) t.join();
  for (engine::base::Status& st : results)
    if (!st.ok()) return st;
  return {};
}

}  // namespace

Orchestrator::Orchestrator(EngineClient& engine, EventSink sink, RunOptions opts)
    : engine_(engine), sink_(std::move(sink)), opts_(opts) {}

void Orchestrator::emit(const std::string& kind, const std::string& name, const std::string& status, bool error,
                        bool warning) {
  if (!sink_) return;
  std::lock_guard<std::mutex> lock(event_mu_);
  sink_(Event{kind, name, status, error, warning});
}

engine::base::Result<Actual> Orchestrator::observe(const model::Project& p) {
  Actual a;
  auto cs = engine_.list_containers({label_filter(kLabelProject, p.name)}, true);
  if (!cs) return cs.take_error();
  a.containers = std::move(*cs);
  for (const auto& [key, r] : p.networks) {
    auto n = engine_.inspect_network(r.name);
    if (n) a.networks.insert(r.name);
    else if (n.error().code != engine::base::Code::NotFound) return n.take_error();
  }
  for (const auto& [key, r] : p.volumes) {
    auto v = engine_.inspect_volume(r.name);
    if (v) a.volumes.insert(r.name);
    else if (v.error().code != engine::base::Code::NotFound) return v.take_error();
  }
  for (const auto& [name, s] : p.services) {
    std::string ref = service_image(p, s);
    if (a.image_ids.count(ref)) continue;
    auto id = engine_.image_id(ref);
    if (id) a.image_ids[ref] = *id;
    else if (id.error().code == engine::base::Code::NotFound) a.image_ids[ref] = "";
    else return id.take_error();
  }
  return a;
}

engine::base::Status Orchestrator::stop_and_remove(const std::string& id, const std::string& name, bool volumes) {
  emit("Container", name, "Stopping");
  if (auto st = engine_.stop_container(id, opts_.stop_timeout_s); !st.ok() &&
      st.error().code != engine::base::Code::NotFound) {
    emit("Container", name, "Error", true);
    return st.take_error().wrap("stop container " + name);
  }
  emit("Container", name, "Stopped");
  emit("Container", name, "Removing");
  if (auto st = engine_.remove_container(id, true, volumes); !st.ok() &&
      st.error().code != engine::base::Code::NotFound) {
    emit("Container", name, "Error", true);
    return st.take_error().wrap("remove container " + name);
  }
  emit("Container", name, "Removed");
  return {};
}

engine::base::Status Orchestrator::wait_container_ready(const std::string& id, const std::string& name,
                                                        bool need_health) {
  const bool bounded = opts_.timeout.has_value();
  const auto deadline = std::chrono::steady_clock::now() + opts_.timeout.value_or(std::chrono::milliseconds(0));
  bool announced = false;
  for (;;) {
    const int64_t looked = engine::base::now_ns();
    auto st = engine_.inspect_container(id);
    if (!st) return st.take_error().wrap("inspect container " + name);
    if (!st->running && (st->status == "exited" || st->status == "dead")) {
      emit("Container", name, "Exited (" + std::to_string(st->exit_code) + ")", true);
      return engine::base::precondition("container " + name + " exited (" + std::to_string(st->exit_code) + ")");
    }
    if (st->health == "healthy") {
      emit("Container", name, "Healthy");
      return {};
    }
    if (st->health == "unhealthy") {
      emit("Container", name, "Unhealthy", true);
      return engine::base::precondition("container " + name + " is unhealthy");
    }
    if (st->health.empty()) {
      if (need_health)
        return engine::base::precondition("container " + name + " has no healthcheck configured");
      if (st->running) return {};
    }
    if (!announced) emit("Container", name, "Waiting"), announced = true;
    auto now = std::chrono::steady_clock::now();
    if (bounded && now >= deadline)
      return engine::base::make_error(engine::base::Code::Unavailable,
                                      "timeout waiting for container " + name + " to be ready");
    // React to the container's next event (health_status, die, ...); look again at least every second.
    auto wait = std::chrono::milliseconds(1000);
    if (bounded) wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                                           std::chrono::milliseconds(1));
    auto ev = engine_.wait_container_event(id, looked, wait);
    if (!ev) std::this_thread::sleep_for(opts_.poll);  // no event stream: poll
  }
}

engine::base::Status Orchestrator::wait_ready(const model::Project& p, const std::vector<std::string>& services) {
  auto cs = containers(p, services, true);
  if (!cs) return cs.take_error();
  // One-shot services others wait on to complete may exit 0; everything else must run.
  std::set<std::string> completes;
  for (const auto& [name, s] : p.services)
    for (const auto& [dep, d] : s.depends_on)
      if (d.condition == "service_completed_successfully") completes.insert(dep);
  return for_all(*cs, [&](const ContainerSummary& c) -> engine::base::Status {
    std::string svc = c.label(kLabelService);
    if (completes.count(svc)) {
      auto code = engine_.wait_container(c.id);
      if (!code) return code.take_error();
      if (*code != 0)
        return engine::base::precondition("service " + svc + " didn't complete successfully: exit " +
                                          std::to_string(*code));
      emit("Container", c.name, "Exited");
      return {};
    }
    return wait_container_ready(c.id, c.name, false);
  });
}

engine::base::Status Orchestrator::down(const model::Project& p, const DownOptions& o) {
  auto actual = observe(p);
  if (!actual) return actual.take_error();
  auto plan = plan_down(p, *actual, o.volumes, o.remove_orphans);
  if (!plan) return plan.take_error();
  for (const std::vector<ContainerSummary>& group : plan->stop_groups) {
    BERTH_TRY(for_all(group, [&](const ContainerSummary& c) { return stop_and_remove(c.id, c.name, o.volumes); }));
  }
  for (const std::string& n : plan->networks) {
    emit("Network", n, "Removing");
    if (auto st = engine_.remove_network(n); !st.ok() && st.error().code != engine::base::Code::NotFound)
      return st.take_error().wrap("remove network " + n);
    emit("Network", n, "Removed");
  }
  for (const std::string& n : plan->volumes) {
    emit("Volume", n, "Removing");
    if (auto st = engine_.remove_volume(n); !st.ok() && st.error().code != engine::base::Code::NotFound)
      return st.take_error().wrap("remove volume " + n);
    emit("Volume", n, "Removed");
  }
  // The secrets and configs compose wrote for the project.
  if (std::string dir = files_dir(p); !dir.empty() && engine::base::path_exists(dir))
    BERTH_TRY(engine::base::remove_all(dir));
  if (!o.rmi.empty()) {
    std::set<std::string> images;
    for (const auto& [name, s] : p.services)
      if (o.rmi == "all" || s.image.empty()) images.insert(service_image(p, s));
    for (const std::string& ref : images) {
      emit("Image", ref, "Removing");
      if (auto st = engine_.remove_image(ref); !st.ok() && st.error().code != engine::base::Code::NotFound)
        return st.take_error().wrap("remove image " + ref);
      emit("Image", ref, "Removed");
    }
  }
  return {};
}

engine::base::Result<std::vector<ContainerSummary>> Orchestrator::containers(
    const model::Project& p, const std::vector<std::string>& services, bool all) {
  for (const std::string& s : services)
    if (!p.services.count(s)) return engine::base::not_found("no such service: " + s);
  auto cs = engine_.list_containers({label_filter(kLabelProject, p.name), label_filter(kLabelOneoff, "False")}, all);
  if (!cs) return cs.take_error();
  std::vector<ContainerSummary> out;
  for (ContainerSummary& c : *cs) {
    std::string svc = c.label(kLabelService);
    if (services.empty() || std::find(services.begin(), services.end(), svc) != services.end())
      out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const ContainerSummary& a, const ContainerSummary& b) {
    std::string sa = a.label(kLabelService), sb = b.label(kLabelService);
    if (sa != sb) return sa < sb;
    return std::atoi(a.label(kLabelNumber).c_str()) < std::atoi(b.label(kLabelNumber).c_str());
  });
  return out;
}

}  // namespace compose::plan
