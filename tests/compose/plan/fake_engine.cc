#include "compose/plan/fake_engine.h"

#include <chrono>
#include <thread>

namespace test {

namespace eb = engine::base;
using compose::plan::ContainerSummary;
using compose::plan::ResourceInfo;

void FakeEngine::record(const std::string& call) { calls_.push_back(call); }

std::vector<std::string> FakeEngine::calls() const {
  std::lock_guard<std::mutex> l(mu_);
  return calls_;
}

std::vector<std::string> FakeEngine::calls_with(const std::string& prefix) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const std::string& c : calls_)
    if (c.rfind(prefix, 0) == 0) out.push_back(c);
  return out;
}

void FakeEngine::clear_calls() {
  std::lock_guard<std::mutex> l(mu_);
  calls_.clear();
}

std::map<std::string, FakeContainer> FakeEngine::containers_by_name() const {
  std::lock_guard<std::mutex> l(mu_);
  std::map<std::string, FakeContainer> out;
  for (const auto& [id, c] : containers_) out[c.name] = c;
  return out;
}

std::set<std::string> FakeEngine::networks() const {
  std::lock_guard<std::mutex> l(mu_);
  std::set<std::string> out;
  for (const auto& [n, b] : networks_) out.insert(n);
  return out;
}

std::set<std::string> FakeEngine::volumes() const {
  std::lock_guard<std::mutex> l(mu_);
  std::set<std::string> out;
  for (const auto& [n, b] : volumes_) out.insert(n);
  return out;
}

void FakeEngine::add_network(const std::string& n) {
  std::lock_guard<std::mutex> l(mu_);
  networks_[n] = Json::object();
}

void FakeEngine::add_volume(const std::string& n) {
  std::lock_guard<std::mutex> l(mu_);
  volumes_[n] = Json::object();
}

FakeContainer* FakeEngine::find(const std::string& id) {
  if (auto it = containers_.find(id); it != containers_.end()) return &it->second;
  for (auto& [cid, c] : containers_)
    if (c.name == id) return &c;
  return nullptr;
}

eb::Result<std::vector<ContainerSummary>> FakeEngine::list_containers(const std::vector<std::string>& labels,
                                                                       bool all) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ContainerSummary> out;
  for (const auto& [id, c] : containers_) {
    if (!all && c.state != "running" && c.state != "paused") continue;  // as docker ps
    bool match = true;
    for (const std::string& f : labels) {
      auto eq = f.find('=');
      auto it = c.labels.find(f.substr(0, eq));
      if (it == c.labels.end() || (eq != std::string::npos && it->second != f.substr(eq + 1))) match = false;
    }
    if (!match) continue;
    ContainerSummary s;
    s.id = c.id, s.name = c.name, s.image = c.image, s.image_id = c.image_id, s.state = c.state;
    s.status = c.state, s.labels = c.labels;
    out.push_back(s);
  }
  return out;
}

eb::Result<std::string> FakeEngine::create_container(const std::string& name, const Json& body) {
  std::lock_guard<std::mutex> l(mu_);
  record("create " + name);
  if (fail_create.count(name)) return eb::internal("create " + name + ": scripted failure");
  if (find(name)) return eb::conflict("container name " + name + " is already in use");
  FakeContainer c;
  c.id = "id" + std::to_string(next_id_++);
  c.name = name;
  c.image = body.value("Image", "");
  auto img = images.find(c.image);
  c.image_id = img == images.end() ? "" : img->second;
  c.body = body;
  for (auto it = body["Labels"].begin(); it != body["Labels"].end(); ++it) c.labels[it.key()] = it.value();
  containers_[c.id] = c;
  return c.id;
}

eb::Status FakeEngine::start_container(const std::string& id) {
  std::string service;
  {
    std::lock_guard<std::mutex> l(mu_);
    FakeContainer* c = find(id);
    if (!c) return eb::not_found("no such container: " + id);
    record("start " + c->name);
    max_active_ = std::max(max_active_, ++active_);
  }
  if (start_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(start_delay_ms));
  std::lock_guard<std::mutex> l(mu_);
  --active_;
  FakeContainer* c = find(id);
  service = c->labels["com.docker.compose.service"];
  c->state = "running";
  c->health = "";
  if (c->body.contains("Healthcheck")) {
    auto h = health_after_start.find(service);
    c->health = h == health_after_start.end() ? "healthy" : h->second;
  }
  if (auto e = exit_after_start.find(service); e != exit_after_start.end()) {
    c->state = "exited";
    c->exit_code = e->second;
    c->health = "";
  }
  return {};
}

eb::Status FakeEngine::stop_container(const std::string& id, int timeout_s) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("stop " + c->name + (timeout_s >= 0 ? " t=" + std::to_string(timeout_s) : ""));
  if (c->state == "running") c->state = "exited", c->exit_code = 0;
  return {};
}

eb::Status FakeEngine::restart_container(const std::string& id, int) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("restart " + c->name);
  c->state = "running";
  return {};
}

eb::Status FakeEngine::kill_container(const std::string& id, const std::string& signal) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("kill " + c->name + " " + signal);
  c->state = "exited", c->exit_code = 137;
  return {};
}

eb::Status FakeEngine::pause_container(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("pause " + c->name);
  c->state = "paused";
  return {};
}

eb::Status FakeEngine::unpause_container(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("unpause " + c->name);
  c->state = "running";
  return {};
}

eb::Status FakeEngine::remove_container(const std::string& id, bool force, bool volumes) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("rm " + c->name + (force ? " force" : "") + (volumes ? " v" : ""));
  if (c->state == "running" && !force) return eb::conflict("container " + c->name + " is running");
  containers_.erase(c->id);
  return {};
}

eb::Result<compose::plan::ContainerState> FakeEngine::inspect_container(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  compose::plan::ContainerState s;
  s.id = c->id, s.name = c->name, s.status = c->state, s.running = c->state == "running";
  s.exit_code = c->exit_code, s.health = c->health, s.labels = c->labels;
  return s;
}

eb::Result<int64_t> FakeEngine::wait_container(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  record("wait " + c->name);
  if (c->state == "running") return eb::internal("fake: wait on a running container would block forever");
  return c->exit_code;
}

eb::Status FakeEngine::container_logs(const std::string& id, const compose::plan::LogOptions&,
                                      const compose::plan::OutputSink& sink) {
  std::string name;
  {
    std::lock_guard<std::mutex> l(mu_);
    FakeContainer* c = find(id);
    if (!c) return eb::not_found("no such container: " + id);
    name = c->name;
    record("logs " + name);
  }
  sink(1, "hello from " + name + "\n");
  return {};
}

eb::Result<int64_t> FakeEngine::exec(const std::string& id, const compose::plan::ExecOptions& opts,
                                     const compose::plan::OutputSink& sink) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(id);
  if (!c) return eb::not_found("no such container: " + id);
  std::string cmd;
  for (const std::string& a : opts.cmd) cmd += " " + a;
  record("exec " + c->name + cmd);
  sink(1, "ran" + cmd + "\n");
  return 0;
}

eb::Result<FakeEngine::Json> FakeEngine::top(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  if (!find(id)) return eb::not_found("no such container: " + id);
  return Json{{"Titles", {"PID", "CMD"}}, {"Processes", {{"1", "sleep"}}}};
}

eb::Result<std::vector<ResourceInfo>> FakeEngine::list_networks(const std::vector<std::string>&) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ResourceInfo> out;
  for (const auto& [n, b] : networks_) out.push_back({n, n, "bridge", {}});
  return out;
}

eb::Result<ResourceInfo> FakeEngine::inspect_network(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  if (!networks_.count(name)) return eb::not_found("network " + name + " not found");
  return ResourceInfo{name, name, "bridge", {}};
}

eb::Status FakeEngine::create_network(const Json& body) {
  std::lock_guard<std::mutex> l(mu_);
  std::string n = body.value("Name", "");
  record("network create " + n);
  if (networks_.count(n)) return eb::conflict("network " + n + " already exists");
  networks_[n] = body;
  return {};
}

eb::Status FakeEngine::remove_network(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  record("network rm " + name);
  if (!networks_.erase(name)) return eb::not_found("network " + name + " not found");
  return {};
}

eb::Status FakeEngine::connect_network(const std::string& network, const std::string& container, const Json&) {
  std::lock_guard<std::mutex> l(mu_);
  FakeContainer* c = find(container);
  record("network connect " + network + " " + (c ? c->name : container));
  if (!networks_.count(network)) return eb::not_found("network " + network + " not found");
  return {};
}

eb::Result<std::vector<ResourceInfo>> FakeEngine::list_volumes(const std::vector<std::string>&) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ResourceInfo> out;
  for (const auto& [n, b] : volumes_) out.push_back({n, n, "local", {}});
  return out;
}

eb::Result<ResourceInfo> FakeEngine::inspect_volume(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  if (!volumes_.count(name)) return eb::not_found("volume " + name + " not found");
  return ResourceInfo{name, name, "local", {}};
}

eb::Status FakeEngine::create_volume(const Json& body) {
  std::lock_guard<std::mutex> l(mu_);
  std::string n = body.value("Name", "");
  record("volume create " + n);
  volumes_[n] = body;
  return {};
}

eb::Status FakeEngine::remove_volume(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  record("volume rm " + name);
  if (!volumes_.erase(name)) return eb::not_found("volume " + name + " not found");
  return {};
}

eb::Result<std::string> FakeEngine::image_id(const std::string& ref) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = images.find(ref);
  if (it == images.end()) return eb::not_found("no such image: " + ref);
  return it->second;
}

eb::Status FakeEngine::pull_image(const std::string& ref) {
  std::lock_guard<std::mutex> l(mu_);
  record("pull " + ref);
  images[ref] = "sha256:" + ref;
  return {};
}

eb::Status FakeEngine::remove_image(const std::string& ref) {
  std::lock_guard<std::mutex> l(mu_);
  record("rmi " + ref);
  if (!images.erase(ref)) return eb::not_found("no such image: " + ref);
  return {};
}

eb::Result<bool> FakeEngine::wait_container_event(const std::string&, int64_t, std::chrono::milliseconds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return false;
}

eb::Result<std::string> FakeEngine::build_image(const compose::plan::BuildRequest& req,
                                               const compose::plan::OutputSink& out) {
  std::string first = req.tags.empty() ? "" : req.tags.front();
  {
    std::lock_guard<std::mutex> l(mu_);
    record("build " + first + (req.no_cache ? " no-cache" : ""));
    builds.push_back(req);
    for (const std::string& t : req.tags) images[t] = "sha256:built-" + first + "-" + std::to_string(builds.size());
  }
  if (out) out(1, "Step 1/1 : FROM scratch\n");
  return "sha256:built-" + first;
}

eb::Status FakeEngine::push_image(const std::string& ref, const compose::plan::OutputSink& out) {
  std::lock_guard<std::mutex> l(mu_);
  record("push " + ref);
  if (!images.count(ref)) return eb::not_found("no such image: " + ref);
  if (out) out(1, "pushed " + ref + "\n");
  return {};
}

}  // namespace test
