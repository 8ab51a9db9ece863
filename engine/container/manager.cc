#include <filesystem>
#include <random>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/container/create_config.h"
#include "engine/container/manager_impl.h"
#include "engine/runtime/status_file.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

bool valid_container_name(const std::string& name) {
  if (name.empty()) return false;
  auto ok = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '_' || c == '.' || c == '-'));
  };
  for (size_t i = 0; i < name.size(); ++i)
    if (!ok(name[i], i == 0)) return false;
  return true;
}

std::string generate_name(const std::map<std::string, std::string>& taken) {
  static const char* adjectives[] = {"brave", "calm", "clever", "eager", "gentle", "happy", "jolly", "keen",
                                     "lucid", "merry", "nimble", "proud", "quiet", "sharp", "steady", "witty"};
  static const char* nouns[] = {"babbage", "curie", "dijkstra", "euler", "gauss", "hopper", "kepler", "lovelace",
                                "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wirth", "zuse"};
  static thread_local std::mt19937 rng{std::random_device{}()};
  for (int attempt = 0;; ++attempt) {
    std::string n = std::string(adjectives[rng() % 16]) + "_" + nouns[rng() % 16];
    if (attempt > 20) n += std::to_string(rng() % 1000);
    if (!taken.count(n)) return n;
  }
}

Result<std::shared_ptr<Entry>> Manager::Impl::find(const std::string& ref_in) const {
  std::string ref = starts_with(ref_in, "/") ? ref_in.substr(1) : ref_in;
  if (ref.empty()) return invalid("no container name or ID given");
  if (auto it = entries.find(ref); it != entries.end()) return it->second;
  if (auto it = names.find(ref); it != names.end()) return entries.at(it->second);
  std::shared_ptr<Entry> found;
  for (const auto& [id, e] : entries) {
    if (starts_with(id, ref)) {
      if (found) return invalid("multiple IDs found with provided prefix: " + ref);
      found = e;
    }
  }
  if (!found) return not_found("No such container: " + ref_in);
  return found;
}

Status Manager::Impl::save(const Container& c, bool durable) const {
  // Both are atomic (temp + rename); an fsync costs milliseconds per state change here.
  std::string path = dir(c.id) + "/container.json", text = to_record(c).dump();
  return durable ? write_file_atomic(path, text, 0600) : runtime::write_file_nosync(path, text, 0600);
}

void Manager::Impl::persist(const Container& c, bool durable) const {
  if (auto st = save(c, durable); !st) log_error("container " + c.id.substr(0, 12) + ": save record: " + st.error().str());
}

void Manager::Impl::emit(const Container& c, const std::string& action, std::map<std::string, std::string> extra) const {
  if (!d.events) return;
  std::map<std::string, std::string> attrs = c.labels();
  attrs["name"] = c.name;
  attrs["image"] = c.image;
  for (auto& [k, v] : extra) attrs[k] = v;
  d.events->publish({"container", action, c.id, std::move(attrs), 0});
}

Manager::Manager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Manager::~Manager() {
  impl_->closing = true;
  impl_->cv.notify_all();
  std::lock_guard lock(impl_->monitors_mu);
  for (auto& t : impl_->monitors)
    if (t.joinable()) t.join();
}

Result<std::unique_ptr<Manager>> Manager::open(ManagerDeps deps) {
  auto impl = std::make_unique<Impl>();
  impl->d = std::move(deps);
  std::string cdir = impl->d.root + "/containers";
  BERTH_TRY(make_dirs(cdir, 0710));
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(cdir, ec)) {
    if (!de.is_directory()) continue;
    auto text = read_file(de.path().string() + "/container.json");
    if (!text) {
      // Never recorded: a create that did not finish. Nothing else refers to it.
      (void)remove_all(de.path().string());
      continue;
    }
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded()) continue;
    auto c = from_record(j);
    if (!c) {
      log_warn("skipping container record " + de.path().string() + ": " + c.error().str());
      continue;
    }
    auto e = std::make_shared<Entry>();
    e->c = std::move(*c);
    impl->names[e->c.name] = e->c.id;
    impl->entries[e->c.id] = e;
  }
  std::unique_ptr<Manager> m(new Manager(std::move(impl)));
  m->impl_->reconcile();
  m->impl_->load_execs();
  return m;
}

Result<std::string> Manager::create(const json& body, const std::string& name_in) {
  Impl& s = *impl_;
  std::string name = starts_with(name_in, "/") ? name_in.substr(1) : name_in;
  if (!name.empty() && !valid_container_name(name))
    return invalid("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  if (!body.is_object()) return invalid("invalid JSON: the container config must be an object");
  std::string image_ref = body.value("Image", "");
  if (image_ref.empty()) return invalid("no image specified");
  auto img = s.d.images->resolve(image_ref);
  if (!img) {
    if (img.error().code == Code::NotFound) return not_found("No such image: " + image_ref);
    return img.take_error();
  }
  std::vector<std::string> made_volumes;
  auto ensure_volume = [&](const std::string& vname, bool anonymous) -> Result<std::pair<std::string, std::string>> {
    if (!s.d.volumes) return precondition("volumes are not available");
    bool existed = !vname.empty() && s.d.volumes->get(vname).ok();
    std::map<std::string, std::string> labels;
    if (anonymous) labels["com.docker.volume.anonymous"] = "";
    auto v = s.d.volumes->create(anonymous ? "" : vname, "local", labels, {});
    if (!v) return v.take_error();
    if (!existed) {
      made_volumes.push_back(v->name);
      if (s.d.events) s.d.events->publish({"volume", "create", v->name, {{"driver", "local"}}, 0});
    }
    return std::make_pair(v->name, v->mountpoint);
  };
  auto built = build_container(body, *img, ensure_volume);
  if (!built) {
    for (const auto& v : made_volumes) (void)s.d.volumes->remove(v, true, {});
    return built.take_error();
  }
  Container c = std::move(*built);
  Rollback undo;
  undo.add([&] {
    for (const auto& v : made_volumes) (void)s.d.volumes->remove(v, true, {});
  });
  {
    // The name is reserved under the lock; the record is written (with fsync) outside it, so
    // concurrent creates, starts and inspects do not queue behind one another's disk flush.
    std::lock_guard lock(s.mu);
    if (!name.empty()) {
      if (auto it = s.names.find(name); it != s.names.end())
        return conflict("Conflict. The container name \"/" + name + "\" is already in use by container \"" +
                        it->second + "\". You have to remove (or rename) that container to be able to reuse that name.");
      if (s.reserved_names.count(name))
        return conflict("Conflict. The container name \"/" + name + "\" is already in use by a container being created.");
    } else {
      do name = generate_name(s.names);
      while (s.reserved_names.count(name));
    }
    s.reserved_names.insert(name);
  }
  undo.add([&] {
    std::lock_guard lock(s.mu);
    s.reserved_names.erase(name);
  });
  c.id = random_hex(64);
  c.name = name;
  c.created_ns = now_ns();
  if (c.config.value("Hostname", "").empty()) c.config["Hostname"] = c.id.substr(0, 12);
  std::string dir = s.dir(c.id);
  BERTH_TRY(make_dirs(dir, 0710));
  undo.add([&] { (void)remove_all(dir); });
  c.log_path = dir + "/" + c.id + "-json.log";
  c.hosts_path = dir + "/hosts";
  c.resolv_conf_path = dir + "/resolv.conf";
  c.hostname_path = dir + "/hostname";
  auto e = std::make_shared<Entry>();
  e->c = c;
  BERTH_TRY(s.save(e->c, true));
  undo.commit();
  std::lock_guard lock(s.mu);
  s.reserved_names.erase(name);
  s.entries[c.id] = e;
  s.names[name] = c.id;
  s.emit(e->c, "create");
  return c.id;
}

Result<Container> Manager::get(const std::string& ref) const {
  std::lock_guard lock(impl_->mu);
  auto e = impl_->find(ref);
  if (!e) return e.take_error();
  return (*e)->c;
}

std::vector<Container> Manager::list() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Container> out;
  for (const auto& [_, e] : impl_->entries) out.push_back(e->c);
  std::sort(out.begin(), out.end(), [](const Container& a, const Container& b) {
    return a.created_ns != b.created_ns ? a.created_ns > b.created_ns : a.id < b.id;
  });
  return out;
}

Status Manager::rename(const std::string& ref, const std::string& new_name_in) {
  std::string new_name = starts_with(new_name_in, "/") ? new_name_in.substr(1) : new_name_in;
  if (!valid_container_name(new_name))
    return invalid("Invalid container name (" + new_name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  std::lock_guard lock(impl_->mu);
  auto e = impl_->find(ref);
  if (!e) return e.take_error();
  Container& c = (*e)->c;
  if (c.name == new_name) return invalid("Renaming a container with the same name as its current name");
  if (auto it = impl_->names.find(new_name); it != impl_->names.end())
    return conflict("Error when allocating new name: Conflict. The container name \"/" + new_name +
                    "\" is already in use by container \"" + it->second + "\".");
  if (impl_->reserved_names.count(new_name))
    return conflict("Error when allocating new name: Conflict. The container name \"/" + new_name +
                    "\" is already in use by a container being created.");
  impl_->names.erase(c.name);
  std::string old = c.name;
  c.name = new_name;
  impl_->names[new_name] = c.id;
  impl_->persist(c, true);
  impl_->emit(c, "rename", {{"oldName", "/" + old}});
  return {};
}

std::vector<std::string> Manager::volume_users(const std::string& name) const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [id, e] : impl_->entries)
    for (const auto& m : e->c.mounts)
      if (m.type == "volume" && m.name == name) {
        out.push_back(id);
        break;
      }
  return out;
}

std::vector<std::string> Manager::image_users(const std::string& image_id) const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [id, e] : impl_->entries)
    if (e->c.image_id == image_id) out.push_back(id);
  return out;
}

std::vector<std::string> Manager::network_users(const std::string& network_id) const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [id, e] : impl_->entries)
    for (const auto& [name, n] : e->c.networks)
      if (n.network_id == network_id || name == network_id) out.push_back(id);
  return out;
}

std::array<int, 4> Manager::counts() const {
  std::lock_guard lock(impl_->mu);
  std::array<int, 4> n{0, 0, 0, 0};
  for (const auto& [_, e] : impl_->entries) {
    ++n[0];
    if (e->c.state.status == "running" || e->c.state.status == "restarting") ++n[1];
    else if (e->c.state.status == "paused") ++n[2];
    else ++n[3];
  }
  return n;
}

Status Manager::remove(const std::string& ref, bool force, bool volumes) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard lock(impl_->mu);
    auto f = impl_->find(ref);
    if (!f) return f.take_error();
    e = *f;
  }
  std::lock_guard op(e->op);
  bool running;
  {
    std::lock_guard lock(impl_->mu);
    if (e->removed) return not_found("No such container: " + ref);
    running = e->c.is_running() || e->c.state.status == "restarting";
    if (running && !force) {
      std::string what = e->c.state.status == "paused" ? "paused" : "running";
      return conflict("You cannot remove a " + what + " container " + e->c.id +
                      ". Stop the container before attempting removal or force remove");
    }
  }
  if (running) BERTH_TRY(impl_->stop_entry(e, 0, "SIGKILL", true));
  return impl_->remove_entry(e, volumes);
}

std::vector<std::string> Manager::prune(const std::function<bool(const Container&)>& select) {
  std::vector<std::string> removed;
  for (const Container& c : list()) {
    if (c.is_running() || c.state.status == "restarting") continue;
    if (select && !select(c)) continue;
    if (remove(c.id, false, false).ok()) removed.push_back(c.id);
  }
  return removed;
}

}  // namespace engine::container
