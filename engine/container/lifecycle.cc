// Container lifecycle: start (networking, spec, runtime), exits and restart
// policies, stop/kill/pause, removal, and re-adoption after a daemon restart.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/container/create_config.h"
#include "engine/container/manager_impl.h"
#include "engine/container/spec_builder.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;
using RtStatus = runtime::ContainerState::Status;

namespace {

std::vector<std::pair<std::string, std::string>> parse_extra_hosts(const std::vector<std::string>& in) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : in) {
    size_t sep = e.find(':');
    if (sep == std::string::npos) sep = e.find('=');
    if (sep == std::string::npos) continue;
    std::string ip = e.substr(sep + 1);
    if (ip == "host-gateway") ip = "127.0.0.1";
    out.emplace_back(e.substr(0, sep), ip);
  }
  return out;
}

}  // namespace

void Manager::Impl::teardown_network(Container& c) {
  if (!d.network) return;
  // The container's own netns goes first: with its processes gone, dropping the last reference
  // lets the kernel destroy the netns and its veth pairs in one batch, off every lock (deleting
  // each host veth by netlink costs ~20 ms under the rtnl lock, one container after another).
  // detach() then only has the bookkeeping to do; it still deletes a veth something kept alive.
  std::string mode = c.host_config.value("NetworkMode", "bridge");
  if (!c.netns_path.empty() && !starts_with(mode, "container:")) (void)d.network->remove_netns(c.id);
  c.netns_path.clear();
  if (!c.ports.empty()) (void)d.network->unpublish(c.id);
  for (auto& [name, n] : c.networks) {
    if (n.endpoint) {
      // The container has exited: its veth goes in the background (remove_entry waits for it).
      if (auto st = d.network->detach_exited(c.id, n.endpoint->network_id); !st)
        log_warn("container " + c.id.substr(0, 12) + ": detach " + name + ": " + st.error().str());
      n.endpoint.reset();
    }
  }
}

Status Manager::Impl::start_entry(const std::shared_ptr<Entry>& e, bool from_restart) {
  Container c;
  {
    std::lock_guard lock(mu);
    if (e->removed) return not_found("No such container: " + e->c.id);
    if (e->c.is_running()) return {};
    c = e->c;
  }
  runtime::Runtime& rt = *d.runtime;
  std::string rt_root = d.root + "/runtime";
  Rollback rb;

  // Why first: a missing image or layer must fail before anything is made.
  auto img = d.images->resolve(c.image_id);
  if (!img) return not_found("No such image: " + c.image + " (" + c.image_id.substr(0, 19) + ")");
  auto layers = d.images->layer_dirs(*img);
  if (!layers) return layers.take_error();

  SpecInputs in;
  in.lowerdirs = *layers;
  const json& hc = c.host_config;
  // Namespaces shared with the host or with another container.
  auto join_mode = [&](const char* field, const char* ns) -> Status {
    std::string v = hc.value(field, "");
    if (v == "host") in.host_namespaces.push_back(ns);
    if (starts_with(v, "container:")) {
      std::lock_guard lock(mu);
      auto other = find(v.substr(10));
      if (!other) return other.take_error().wrap(std::string("cannot join ") + ns + " namespace");
      if (!(*other)->c.is_running())
        return precondition(std::string("cannot join ") + ns + " namespace of a non running container: " + v.substr(10));
      in.joins.push_back({ns, "/proc/" + std::to_string((*other)->c.state.pid) + "/ns/" + ns});
    }
    return {};
  };
  BERTH_TRY(join_mode("PidMode", "pid"));
  BERTH_TRY(join_mode("IpcMode", "ipc"));
  BERTH_TRY(join_mode("UTSMode", "uts"));

  // Networking: a netns of its own (or another container's, or the host's).
  std::string mode = hc.value("NetworkMode", "bridge");
  std::vector<std::string> addresses;
  std::string first_network_id;
  auto ports = parse_port_bindings(hc.value("PortBindings", json::object()), c.config.value("ExposedPorts", json::object()),
                                   hc.value("PublishAllPorts", false));
  if (!ports) return ports.take_error();
  c.ports = *ports;
  if (mode == "host") {
    c.netns_path.clear();
  } else if (starts_with(mode, "container:")) {
    std::lock_guard lock(mu);
    auto other = find(mode.substr(10));
    if (!other) return other.take_error().wrap("cannot join network of container");
    if (!(*other)->c.is_running())
      return precondition("cannot join network of a non running container: " + mode.substr(10));
    c.netns_path = (*other)->c.netns_path.empty() ? "/proc/" + std::to_string((*other)->c.state.pid) + "/ns/net"
                                                  : (*other)->c.netns_path;
  } else {
    if (!d.network) return precondition("networking is not available");
    auto ns = d.network->create_netns(c.id);
    if (!ns) return ns.take_error().wrap("create network namespace");
    c.netns_path = *ns;
    rb.add([this, id = c.id] { (void)d.network->remove_netns(id); });
    int index = 0;
    // The NetworkMode network first (eth0, default route), then the others by name.
    std::vector<std::string> order;
    if (mode != "none") order.push_back(mode);
    for (const auto& [name, _] : c.networks)
      if (name != mode) order.push_back(name);
    for (const auto& name : order) {
      auto it = c.networks.find(name);
      if (it == c.networks.end()) continue;
      auto info = d.network->inspect_network(name);
      if (!info) return not_found("network " + name + " not found");
      EndpointSpec ep;
      ep.network_id = info->spec.id;
      ep.container_id = c.id;
      ep.container_name = c.name;
      ep.netns_path = c.netns_path;
      ep.ifname = "eth" + std::to_string(index);
      ep.ipv4 = it->second.ipv4_address;
      ep.mac = it->second.mac_address;
      ep.dns_names = {c.name};
      for (const auto& a : it->second.aliases)
        if (std::find(ep.dns_names.begin(), ep.dns_names.end(), a) == ep.dns_names.end()) ep.dns_names.push_back(a);
      ep.dns_names.push_back(c.id.substr(0, 12));
      ep.default_route = index == 0;
      auto got = d.network->attach(ep);
      if (!got) return got.take_error().wrap("attach to network " + name);
      rb.add([this, id = c.id, nid = info->spec.id] { (void)d.network->detach(id, nid); });
      it->second.network_id = info->spec.id;
      it->second.endpoint = *got;
      addresses.push_back(got->ipv4);
      if (index == 0) first_network_id = info->spec.id;
      ++index;
    }
    if (!c.ports.empty()) {
      if (addresses.empty()) return invalid("cannot publish ports of a container without a network");
      auto published = d.network->publish(c.id, addresses[0], c.ports);
      if (!published) return published.take_error();
      rb.add([this, id = c.id] { (void)d.network->unpublish(id); });
      c.ports = *published;
    }
  }
  if (d.network && mode != "host") {
    HostsSpec hs;
    hs.hostname = c.config.value("Hostname", "");
    hs.domainname = c.config.value("Domainname", "");
    hs.addresses = addresses;
    hs.extra_hosts = parse_extra_hosts(json_strings(hc, "ExtraHosts"));
    in.hosts = d.network->render_hosts(hs);
    ResolvSpec rs;
    rs.network_id = first_network_id;
    rs.dns = json_strings(hc, "Dns");
    rs.dns_search = json_strings(hc, "DnsSearch");
    rs.dns_options = json_strings(hc, "DnsOptions");
    in.resolv_conf = d.network->render_resolv_conf(rs);
  }
  in.netns_path = c.netns_path;

  auto spec = build_spec(c, in);
  if (!spec) return spec.take_error();
  // A stopped container is re-created in place; the runtime keeps its writable layer.
  auto created = rt.create(*spec, "");
  if (!created) return created.take_error();
  rb.add([&rt, id = c.id] {
    (void)rt.stop(id, SIGKILL, 0);
    (void)rt.remove(id);
  });
  {
    // Attach requests made before start see every byte of output.
    std::unique_lock lock(mu);
    e->runtime_created = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(2), [&] { return e->attached >= e->pending_attach; });
  }
  if (auto st = rt.start(c.id); !st) {
    std::lock_guard lock(mu);
    e->runtime_created = false;
    e->c.state.error = st.error().str();
    e->c.state.exit_code = st.error().message.find("executable file not found") != std::string::npos ||
                                   st.error().message.find("no such file") != std::string::npos
                               ? 127
                               : 126;
    persist(e->c);
    return st;
  }
  auto now = rt.state(c.id);
  rb.commit();
  {
    std::lock_guard lock(mu);
    Container& live = e->c;
    live.networks = c.networks;
    live.ports = c.ports;
    live.netns_path = c.netns_path;
    live.state.status = "running";
    live.state.pid = now ? now->pid : 0;
    live.state.started_ns = now && now->started_at_ns ? now->started_at_ns : now_ns();
    live.state.error.clear();
    live.state.oom_killed = false;
    live.state.exit_code = 0;
    if (!live.config.value("Healthcheck", json()).is_null() && live.config.contains("Healthcheck")) {
      auto test = live.config["Healthcheck"].value("Test", json::array());
      bool none = test.is_array() && !test.empty() && test[0] == "NONE";
      if (!none && test.is_array() && !test.empty()) {
        live.state.health.status = "starting";
        live.state.health.failing_streak = 0;
      }
    }
    live.has_been_started = true;
    live.manually_stopped = false;
    live.hosts_path = rt_root + "/" + c.id + "/hosts";
    live.resolv_conf_path = rt_root + "/" + c.id + "/resolv.conf";
    live.hostname_path = rt_root + "/" + c.id + "/hostname";
    if (from_restart) ++live.restart_count;
    ++e->runs;
    persist(live);
    emit(live, "start");
    cv.notify_all();
  }
  spawn_monitor(e);
  spawn_health(e);
  return {};
}

void Manager::Impl::spawn_health(const std::shared_ptr<Entry>& e) {
  uint64_t run;
  {
    std::lock_guard lock(mu);
    if (e->c.state.health.status.empty()) return;
    run = e->runs;
  }
  std::lock_guard lock(monitors_mu);
  monitors.emplace_back([this, e, run] { health_loop(e, run); });
}

void Manager::Impl::spawn_monitor(const std::shared_ptr<Entry>& e) {
  std::lock_guard lock(monitors_mu);
  {
    std::lock_guard l2(mu);
    if (e->monitoring) return;
    e->monitoring = true;
  }
  monitors.emplace_back([this, e] { monitor(e); });
}

void Manager::Impl::monitor(std::shared_ptr<Entry> e) {
  std::string id = e->c.id;
  for (;;) {
    if (closing) {
      std::lock_guard lock(mu);
      e->monitoring = false;
      return;
    }
    auto st = d.runtime->wait(id, 500);
    if (!st) {
      if (st.error().code == Code::Unavailable) continue;  // timeout
      runtime::ContainerState gone;
      gone.status = RtStatus::Stopped;
      gone.exit_code = 255;
      gone.error = st.error().str();
      gone.finished_at_ns = now_ns();
      {
        std::lock_guard lock(mu);
        e->monitoring = false;
      }
      on_exit(e, gone);
      return;
    }
    if (st->status != RtStatus::Stopped) continue;
    {
      std::lock_guard lock(mu);
      e->monitoring = false;
    }
    on_exit(e, *st);
    return;
  }
}

void Manager::Impl::on_exit(const std::shared_ptr<Entry>& e, const runtime::ContainerState& st) {
  Container copy;
  {
    std::lock_guard lock(mu);
    copy = e->c;
  }
  // Networking goes first: whoever sees "exited" (stop, restart, rm) may reuse the netns path.
  teardown_network(copy);
  {
    std::lock_guard lock(mu);
    Container& c = e->c;
    c.state.status = "exited";
    c.state.pid = 0;
    c.state.exit_code = st.exit_code;
    c.state.oom_killed = st.oom_killed;
    c.state.finished_ns = st.finished_at_ns ? st.finished_at_ns : now_ns();
    if (!st.error.empty()) c.state.error = st.error;
    if (!c.state.health.status.empty()) c.state.health.status = "unhealthy";
    e->runtime_created = false;
    c.networks = copy.networks;
    c.netns_path.clear();
    copy = c;
  }
  bool restart = false;
  int64_t delay_ms = 0;
  {
    std::lock_guard lock(mu);
    Container& c = e->c;
    ++e->exits;
    if (copy.state.oom_killed) emit(c, "oom");
    emit(c, "die", {{"exitCode", std::to_string(c.state.exit_code)}});
    const json& rp = c.host_config.value("RestartPolicy", json::object());
    std::string policy = rp.value("Name", "no");
    int max = rp.value("MaximumRetryCount", 0);
    if (!closing && !e->removed && !c.manually_stopped) {
      if (policy == "always" || policy == "unless-stopped") restart = true;
      if (policy == "on-failure" && c.state.exit_code != 0 && (max == 0 || c.restart_count < max)) restart = true;
    }
    if (restart) {
      // Docker's backoff: 100 ms doubling per restart, reset after 10 s of running.
      int64_t ran_ms = (c.state.finished_ns - c.state.started_ns) / 1000000;
      int shift = ran_ms >= 10000 ? 0 : std::min(c.restart_count, 10);
      delay_ms = 100LL << shift;
      c.state.status = "restarting";
    }
    persist(c);
    cv.notify_all();
  }
  bool auto_remove = copy.host_config.value("AutoRemove", false);
  if (auto_remove && !restart) {
    std::lock_guard op(e->op);
    (void)remove_entry(e, true);
    return;
  }
  if (!restart) return;
  for (int64_t waited = 0; waited < delay_ms && !closing; waited += 50)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (closing) return;
  std::lock_guard op(e->op);
  {
    std::lock_guard lock(mu);
    if (e->removed || e->c.manually_stopped || e->c.state.status != "restarting") return;
    e->c.state.status = "exited";
  }
  if (auto rs = start_entry(e, true); !rs) {
    log_warn("container " + e->c.id.substr(0, 12) + ": restart failed: " + rs.error().str());
    std::lock_guard lock(mu);
    e->c.state.error = rs.error().str();
    persist(e->c);
  }
}

Status Manager::Impl::stop_entry(const std::shared_ptr<Entry>& e, std::optional<int> timeout_s,
                                 const std::string& signal, bool manual) {
  std::string id;
  int sig = SIGTERM;
  int timeout = 10;
  {
    std::lock_guard lock(mu);
    Container& c = e->c;
    id = c.id;
    if (manual) c.manually_stopped = true;
    if (c.state.status == "restarting") {
      c.state.status = "exited";
      persist(c);
      cv.notify_all();
      return {};
    }
    if (!c.is_running()) return {};
    std::string s = signal.empty() ? c.config.value("StopSignal", "") : signal;
    if (!s.empty()) sig = parse_signal(s);
    if (sig < 0) return invalid("invalid signal: " + s);
    if (c.config.contains("StopTimeout") && c.config["StopTimeout"].is_number()) timeout = c.config["StopTimeout"].get<int>();
    if (timeout_s) timeout = *timeout_s;
    if (c.state.status == "paused") (void)d.runtime->resume(id);
  }
  auto st = d.runtime->stop(id, sig, timeout < 0 ? 0 : timeout);
  if (!st) return st.take_error();
  // The monitor records the exit; wait for it so callers see "exited".
  std::unique_lock lock(mu);
  cv.wait_for(lock, std::chrono::seconds(10), [&] { return !e->c.is_running(); });
  return {};
}

Status Manager::Impl::remove_entry(const std::shared_ptr<Entry>& e, bool volumes) {
  Container c;
  {
    std::lock_guard lock(mu);
    if (e->removed) return {};
    c = e->c;
  }
  if (auto st = d.runtime->state(c.id); st) {
    if (auto rs = d.runtime->remove(c.id); !rs) return rs.take_error().wrap("remove container " + c.id.substr(0, 12));
  } else {
    (void)remove_all(d.root + "/runtime/" + c.id);  // a never-started container's layer made by docker cp
  }
  teardown_network(c);
  (void)remove_all(dir(c.id));
  {
    std::lock_guard lock(mu);
    e->removed = true;
    entries.erase(c.id);
    // Its exec instances go with it (their records were in its directory).
    std::erase_if(execs, [&](const auto& x) { return x.second.container_id == c.id && !x.second.running; });
    if (auto it = names.find(c.name); it != names.end() && it->second == c.id) names.erase(it);
    emit(c, "destroy");
    cv.notify_all();
  }
  // Its veth pairs are being deleted in the background (`run --rm` does not wait for that);
  // an explicit removal returns once they are gone.
  if (d.network) d.network->wait_released(c.id);
  if (volumes && d.volumes) {
    for (const auto& m : c.mounts) {
      if (m.type != "volume") continue;
      auto v = d.volumes->get(m.name);
      if (!v || !v->anonymous) continue;
      bool used = false;
      {
        std::lock_guard lock(mu);
        for (const auto& [_, other] : entries)
          for (const auto& om : other->c.mounts)
            if (om.type == "volume" && om.name == m.name) used = true;
      }
      if (!used && d.volumes->remove(m.name, false, {}).ok() && d.events)
        d.events->publish({"volume", "destroy", m.name, {{"driver", "local"}}, 0});
    }
  }
  return {};
}

void Manager::Impl::reconcile() {
  std::vector<std::shared_ptr<Entry>> all;
  {
    std::lock_guard lock(mu);
    for (auto& [_, e] : entries) all.push_back(e);
  }
  std::vector<std::string> live;
  for (auto& e : all) {
    auto st = d.runtime->state(e->c.id);
    bool running = st && (st->status == RtStatus::Running || st->status == RtStatus::Paused);
    if (running) {
      std::lock_guard lock(mu);
      e->c.state.status = st->status == RtStatus::Paused ? "paused" : "running";
      e->c.state.pid = st->pid;
      e->runtime_created = true;
      live.push_back(e->c.id);
      continue;
    }
    bool was_running = e->c.is_running() || e->c.state.status == "restarting";
    if (st && st->status == RtStatus::Created) {
      // Created but never started before the daemon went away: discard the process.
      (void)d.runtime->stop(e->c.id, SIGKILL, 0);
    }
    if (was_running) {
      runtime::ContainerState exited;
      exited.status = RtStatus::Stopped;
      exited.exit_code = st ? st->exit_code : 255;
      exited.oom_killed = st ? st->oom_killed : false;
      exited.finished_at_ns = st && st->finished_at_ns ? st->finished_at_ns : now_ns();
      // Not a manual stop: restart policies apply (always / unless-stopped come back).
      std::thread([this, e, exited] { on_exit(e, exited); }).detach();
    }
  }
  if (d.network) {
    if (auto st = d.network->reconcile(live); !st) log_warn("network reconcile: " + st.error().str());
  }
  for (auto& e : all)
    if (std::find(live.begin(), live.end(), e->c.id) != live.end()) {
      spawn_monitor(e);
      spawn_health(e);
    }
}

// --- public lifecycle ---------------------------------------------------------

static Result<std::shared_ptr<Entry>> lookup(Manager::Impl& s, const std::string& ref) {
  std::lock_guard lock(s.mu);
  return s.find(ref);
}

Status Manager::start(const std::string& ref) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::lock_guard op((*e)->op);
  {
    std::lock_guard lock(impl_->mu);
    if ((*e)->c.state.status == "paused") return precondition("cannot start a paused container, try unpause instead");
    if ((*e)->c.is_running()) return {};
  }
  Status st = impl_->start_entry(*e, false);
  if (!st) {
    bool auto_remove;
    {
      std::lock_guard lock(impl_->mu);
      ++(*e)->failed_starts;
      auto_remove = (*e)->c.host_config.value("AutoRemove", false);
      impl_->cv.notify_all();
    }
    // As Docker does: a --rm container that cannot start is removed (its client waits for that).
    if (auto_remove) (void)impl_->remove_entry(*e, true);
  }
  return st;
}

Status Manager::stop(const std::string& ref, std::optional<int> timeout_s, const std::string& signal) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::lock_guard op((*e)->op);
  bool was_running;
  {
    std::lock_guard lock(impl_->mu);
    was_running = (*e)->c.is_running();
  }
  BERTH_TRY(impl_->stop_entry(*e, timeout_s, signal, true));
  if (!was_running) return make_error(Code::FailedPrecondition, "container already stopped");
  // As with docker stop, the container's network is gone when stop returns (its veths are
  // deleted in the background after the exit).
  if (impl_->d.network) impl_->d.network->wait_released((*e)->c.id);
  return {};
}

Status Manager::restart(const std::string& ref, std::optional<int> timeout_s) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::lock_guard op((*e)->op);
  BERTH_TRY(impl_->stop_entry(*e, timeout_s, "", true));
  {
    std::lock_guard lock(impl_->mu);
    (*e)->c.manually_stopped = false;
  }
  BERTH_TRY(impl_->start_entry(*e, false));
  std::lock_guard lock(impl_->mu);
  impl_->emit((*e)->c, "restart");
  return {};
}

Status Manager::kill(const std::string& ref, const std::string& signal) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  int sig = signal.empty() ? SIGKILL : parse_signal(signal);
  if (sig < 0) return invalid("Invalid signal: " + signal);
  std::string id;
  {
    std::lock_guard lock(impl_->mu);
    Container& c = (*e)->c;
    if (!c.is_running()) return conflict("Cannot kill container: " + ref + ": Container " + c.id + " is not running");
    id = c.id;
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT) c.manually_stopped = true;
    impl_->emit(c, "kill", {{"signal", std::to_string(sig)}});
  }
  return impl_->d.runtime->kill(id, sig);
}

Status Manager::pause(const std::string& ref) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::lock_guard op((*e)->op);
  std::lock_guard lock(impl_->mu);
  Container& c = (*e)->c;
  if (c.state.status == "paused") return conflict("Container " + c.id + " is already paused");
  if (!c.is_running()) return conflict("Container " + c.id + " is not running");
  BERTH_TRY(impl_->d.runtime->pause(c.id));
  c.state.status = "paused";
  impl_->persist(c);
  impl_->emit(c, "pause");
  return {};
}

Status Manager::unpause(const std::string& ref) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::lock_guard op((*e)->op);
  std::lock_guard lock(impl_->mu);
  Container& c = (*e)->c;
  if (c.state.status != "paused") return conflict("Container " + c.id + " is not paused");
  BERTH_TRY(impl_->d.runtime->resume(c.id));
  c.state.status = "running";
  impl_->persist(c);
  impl_->emit(c, "unpause");
  return {};
}

Result<std::pair<int, std::string>> Manager::wait(const std::string& ref, WaitCondition cond,
                                                  const std::function<bool()>& cancelled) {
  auto e = lookup(*impl_, ref);
  if (!e) return e.take_error();
  std::unique_lock lock(impl_->mu);
  uint64_t exits = (*e)->exits;
  auto done = [&] {
    Entry& en = **e;
    switch (cond) {
      case WaitCondition::NotRunning:
        return !en.c.is_running() && en.c.state.status != "restarting";
      case WaitCondition::NextExit:
        return en.exits > exits;
      case WaitCondition::Removed:
        return en.removed;
    }
    return true;
  };
  while (!done()) {
    if (impl_->closing) return make_error(Code::Unavailable, "daemon is shutting down");
    impl_->cv.wait_for(lock, std::chrono::milliseconds(200));
    if (cancelled && cancelled()) return make_error(Code::Unavailable, "client went away");
  }
  return std::make_pair((*e)->c.state.exit_code, (*e)->c.state.error);
}

}  // namespace engine::container
