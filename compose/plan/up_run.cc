// `up`: apply an UpPlan with one thread per service, each gated on its dependencies.
#include <future>
#include <map>
#include <thread>

#include "compose/graph/graph.h"
#include "compose/plan/create_body.h"
#include "compose/plan/labels.h"
#include "compose/plan/orchestrator.h"

namespace compose::plan {

/// What a service's thread tells its dependents once it is done (not file-local: UpRun, a friend
/// of Orchestrator, holds it).
struct ServiceOutcome {
  engine::base::Status status;
  std::vector<std::pair<std::string, std::string>> containers;  ///< (id, name) in number order
  bool recreated = false;
};

/// One `up` run: the plan, the project and a future per service in scope.
class UpRun {
 public:
  UpRun(Orchestrator& o, const model::Project& p, const UpPlan& plan, const UpOptions& opts)
      : o_(o), p_(p), plan_(plan), opts_(opts) {}

  engine::base::Status run() {
    std::map<std::string, std::promise<ServiceOutcome>> promises;
    for (const std::string& s : plan_.services) {
      promises[s];
      futures_[s] = promises[s].get_future().share();
    }
    std::vector<std::thread> threads;
    for (const std::string& s : plan_.services) {
      threads.emplace_back([this, s, &promises] {
        ServiceOutcome out;
        try {
          out = bring_up(s);
        } catch (const std::exception& e) {
          out.status = engine::base::internal("service " + s + ": " + e.what());
        }
        promises.at(s).set_value(std::move(out));
      });
    }
    for (std::thread& t : threads) t.join();
    // The first failure in start order is the one to report; later ones are usually its consequence.
    for (const std::string& s : plan_.services) {
      const ServiceOutcome& out = futures_[s].get();
      if (!out.status.ok()) return out.status;
    }
    return {};
  }

 private:
  /// Waits for one dependency to meet its condition.
  engine::base::Status check_dependency(const std::string& svc, const std::string& dep,
                                        const model::Dependency& d, bool& dep_recreated) {
    auto it = futures_.find(dep);
    if (it == futures_.end()) return {};  // not in scope (--no-deps, or an optional service left out)
    const ServiceOutcome& out = it->second.get();
    dep_recreated = out.recreated;
    if (!out.status.ok()) {
      if (!d.required) {
        o_.emit("Service", svc, "dependency " + dep + " failed; continuing (required: false)", false, true);
        return {};
      }
      return engine::base::precondition("dependency failed to start: service " + dep);
    }
    if (opts_.no_start) return {};
    for (const auto& [id, name] : out.containers) {
      engine::base::Status st;
      if (d.condition == "service_healthy") {
        st = o_.wait_container_ready(id, name, true);
      } else if (d.condition == "service_completed_successfully") {
        o_.emit("Container", name, "Waiting");
        auto code = o_.engine_.wait_container(id);
        if (!code) st = code.take_error();
        else if (*code != 0)
          st = engine::base::precondition("service " + dep + " didn't complete successfully: exit " +
                                          std::to_string(*code));
        else
          o_.emit("Container", name, "Exited");
      }
      if (!st.ok()) {
        if (!d.required) {
          o_.emit("Container", name, st.error().message + " (required: false, continuing)", false, true);
          return {};
        }
        return engine::base::precondition("dependency failed to start: " + st.error().message);
      }
    }
    return {};
  }

  ServiceOutcome bring_up(const std::string& svc) {
    ServiceOutcome out;
    const model::Service& s = p_.services.at(svc);
    // New containers are created before the dependencies' conditions are met (as docker compose
    // creates before it starts), so a gated service only has to start once its turn comes.
    std::map<int, std::pair<std::string, std::string>> created;
    if (!opts_.no_start && !names_other_containers(s)) {
      for (const ContainerAction& a : plan_.containers.at(svc)) {
        if (a.step != ContainerStep::Create) continue;
        auto c = create(s, a.number);
        if (!c) {
          out.status = c.take_error().wrap("service " + svc);
          return out;
        }
        created[a.number] = *c;
      }
    }
    bool restart_for_dep = false;
    for (const auto& [dep, d] : s.depends_on) {
      bool recreated = false;
      out.status = check_dependency(svc, dep, d, recreated);
      if (!out.status.ok()) {
        o_.emit("Service", svc, out.status.error().message, true);
        return out;
      }
      if (recreated && d.restart) restart_for_dep = true;
    }
    for (const ContainerAction& a : plan_.containers.at(svc)) {
      if (auto it = created.find(a.number); it != created.end() && a.step == ContainerStep::Create) {
        out.containers.push_back(it->second);
        out.status = start(it->second.first, it->second.second);
      } else {
        out.status = apply(s, a, restart_for_dep, out);
      }
      if (!out.status.ok()) {
        out.status = std::move(out.status).take_error().wrap("service " + svc);
        return out;
      }
    }
    return out;
  }

  /// The service's create body names another container (network_mode, volumes_from, links),
  /// which exists only once its own service has been brought up.
  static bool names_other_containers(const model::Service& s) {
    return !graph::service_of_network_mode(s.network_mode).empty() || !s.volumes_from.empty() || !s.links.empty() ||
           s.network_mode.rfind("container:", 0) == 0;
  }

  /// Creates container `number` (and connects its extra networks); returns (id, name).
  engine::base::Result<std::pair<std::string, std::string>> create(const model::Service& s, int number) {
    auto spec = container_spec(p_, s, number, false, o_.files_dir(p_));
    if (!spec) return spec.take_error();
    o_.emit("Container", spec->name, "Creating");
    auto id = o_.engine_.create_container(spec->name, spec->body);
    if (!id) {
      o_.emit("Container", spec->name, "Error", true);
      return id.take_error();
    }
    for (const auto& [net, ep] : spec->extra_networks)
      BERTH_TRY(o_.engine_.connect_network(net, *id, ep));
    o_.emit("Container", spec->name, "Created");
    return std::make_pair(*id, spec->name);
  }

  engine::base::Status create_and_start(const model::Service& s, int number, ServiceOutcome& out) {
    auto c = create(s, number);
    if (!c) return c.take_error();
    out.containers.push_back(*c);
    if (opts_.no_start) return {};
    return start(c->first, c->second);
  }

  engine::base::Status start(const std::string& id, const std::string& name) {
    o_.emit("Container", name, "Starting");
    auto st = o_.engine_.start_container(id);
    if (!st.ok()) {
      o_.emit("Container", name, "Error", true);
      return st.take_error().wrap("start container " + name);
    }
    o_.emit("Container", name, "Started");
    return {};
  }

  engine::base::Status apply(const model::Service& s, const ContainerAction& a, bool restart_for_dep,
                             ServiceOutcome& out) {
    switch (a.step) {
      case ContainerStep::Create:
        return create_and_start(s, a.number, out);
      case ContainerStep::Recreate:
        o_.emit("Container", a.existing_name, "Recreate");
        BERTH_TRY(o_.stop_and_remove(a.existing_id, a.existing_name, false));
        out.recreated = true;
        return create_and_start(s, a.number, out);
      case ContainerStep::Start:
        out.containers.push_back({a.existing_id, a.existing_name});
        if (opts_.no_start) return {};
        return start(a.existing_id, a.existing_name);
      case ContainerStep::Keep:
        out.containers.push_back({a.existing_id, a.existing_name});
        if (restart_for_dep && !opts_.no_start) {
          o_.emit("Container", a.existing_name, "Restarting");
          BERTH_TRY(o_.engine_.restart_container(a.existing_id, o_.opts_.stop_timeout_s));
          o_.emit("Container", a.existing_name, "Restarted");
        } else {
          o_.emit("Container", a.existing_name, "Running");
        }
        return {};
      case ContainerStep::Remove:
        return o_.stop_and_remove(a.existing_id, a.existing_name, false);
    }
    return {};
  }

  Orchestrator& o_;
  const model::Project& p_;
  const UpPlan& plan_;
  const UpOptions& opts_;
  std::map<std::string, std::shared_future<ServiceOutcome>> futures_;
};

engine::base::Status Orchestrator::up(const model::Project& p, const UpOptions& o) {
  // Observe, then plan: every decision below is made from this one snapshot.
  auto actual = observe(p);
  if (!actual) return actual.take_error();
  auto plan = plan_up(p, *actual, o);
  if (!plan) return plan.take_error();

  // Builds first (one after another), then plan again: a new image id recreates its containers.
  if (!plan->builds.empty()) {
    for (const std::string& svc : plan->builds) BERTH_TRY(build_service(p, p.services.at(svc), BuildFlags{}));
    UpOptions again = o;
    again.build = false;
    again.no_build = true;
    actual = observe(p);
    if (!actual) return actual.take_error();
    plan = plan_up(p, *actual, again);
    if (!plan) return plan.take_error();
  }
  // Images next: a missing image would fail its containers half-way through the stack.
  for (const std::string& ref : plan->pulls) {
    emit("Image", ref, "Pulling");
    if (auto st = engine_.pull_image(ref); !st.ok()) {
      emit("Image", ref, "Error", true);
      return st.take_error().wrap("pull " + ref);
    }
    emit("Image", ref, "Pulled");
  }
  // Secrets and configs compose writes itself, before any container binds them.
  BERTH_TRY(prepare_files(p, plan->services));
  // Networks and volumes before any container that attaches to them.
  for (const std::string& key : plan->networks) {
    const model::Resource& r = p.networks.at(key);
    emit("Network", r.name, "Creating");
    if (auto st = engine_.create_network(network_body(p, key, r)); !st.ok()) {
      emit("Network", r.name, "Error", true);
      return st.take_error().wrap("create network " + r.name);
    }
    emit("Network", r.name, "Created");
  }
  for (const std::string& key : plan->volumes) {
    const model::Resource& r = p.volumes.at(key);
    emit("Volume", r.name, "Creating");
    if (auto st = engine_.create_volume(volume_body(p, key, r)); !st.ok()) {
      emit("Volume", r.name, "Error", true);
      return st.take_error().wrap("create volume " + r.name);
    }
    emit("Volume", r.name, "Created");
  }
  for (const ContainerSummary& c : plan->orphans) {
    if (o.remove_orphans) BERTH_TRY(stop_and_remove(c.id, c.name, false));
    else emit("Container", c.name, "Found orphan container (use --remove-orphans to remove it)", false, true);
  }
  // Containers: one thread per service, each gated on its dependencies' conditions.
  UpRun run(*this, p, *plan, o);
  return run.run();
}

}  // namespace compose::plan
