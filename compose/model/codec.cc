#include "compose/model/codec.h"

#include <openssl/sha.h>

#include <algorithm>
#include <vector>

#include "compose/model/units.h"
#include "engine/base/strings.h"

namespace compose::model {
namespace {

/// The keys of one JSON object that typed fields did not consume; they become `other`.
class Rest {
 public:
  explicit Rest(const Json& j) : j_(j) {}
  /// Marks key as consumed.
  void erase(const char* key) { used_.push_back(key); }
  /// The unconsumed members; only x-* ones with extensions_only.
  Json finish(bool extensions_only = false, bool skip_extensions = false) const {
    Json o = Json::object();
    if (!j_.is_object()) return o;
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(used_.begin(), used_.end(), it.key()) != used_.end()) continue;
      bool ext = engine::base::starts_with(it.key(), "x-");
      if ((extensions_only && !ext) || (skip_extensions && ext)) continue;
      o[it.key()] = it.value();
    }
    return o;
  }

 private:
  const Json& j_;
  std::vector<std::string> used_;
};

/// Reads j[key] into out when present and not null; removes it from `rest`.
template <class T>
void take(const Json& j, const char* key, T& out, Rest& rest) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (!it->is_null()) out = it->get<T>();
  rest.erase(key);
}
template <class T>
void take(const Json& j, const char* key, std::optional<T>& out, Rest& rest) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (!it->is_null()) out = it->get<T>();
  rest.erase(key);
}
void take_duration(const Json& j, const char* key, std::optional<int64_t>& out, Rest& rest) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_string()) out = parse_duration(it->get<std::string>());
  else if (it->is_number()) out = it->get<int64_t>();
  rest.erase(key);
}

template <class T>
void put(Json& j, const char* key, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.empty()) j[key] = v;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (v) j[key] = v;
  } else {
    if (!v.empty()) j[key] = v;
  }
}
template <class T>
void put(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
void put_duration(Json& j, const char* key, const std::optional<int64_t>& v) {
  if (v) j[key] = format_duration(*v);
}
void merge_into(Json& j, const Json& other) {
  for (auto it = other.begin(); it != other.end(); ++it) j[it.key()] = it.value();
}

StringMap string_map(const Json& j) {
  StringMap m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_null()) m[it.key()] = std::nullopt;
    else m[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  }
  return m;
}
Json string_map_json(const StringMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v ? Json(*v) : Json(nullptr);
  return j;
}

Resources resources_from(const Json& j) {
  Resources r;
  Rest rest(j);
  take(j, "cpus", r.cpus, rest);
  take(j, "memory", r.memory, rest);
  take(j, "pids", r.pids, rest);
  r.other = rest.finish();
  return r;
}
Json resources_json(const Resources& r) {
  Json j = r.other;
  put(j, "cpus", r.cpus);
  put(j, "memory", r.memory);
  put(j, "pids", r.pids);
  return j;
}

}  // namespace

Resource resource_from_json(const Json& j) {
  Resource r;
  if (!j.is_object()) return r;
  Rest rest(j);
  take(j, "name", r.name, rest);
  take(j, "external", r.external, rest);
  take(j, "driver", r.driver, rest);
  take(j, "labels", r.labels, rest);
  take(j, "file", r.file, rest);
  r.other = rest.finish();
  return r;
}

Json resource_to_json(const Resource& r) {
  Json j = r.other;
  put(j, "name", r.name);
  put(j, "external", r.external);
  put(j, "driver", r.driver);
  put(j, "labels", r.labels);
  put(j, "file", r.file);
  return j;
}

engine::base::Result<Service> service_from_json(const std::string& name, const Json& j) {
  Service s;
  s.name = name;
  if (!j.is_object()) return engine::base::invalid("services." + name + ": must be a mapping");
  Rest rest(j);
  try {
    take(j, "image", s.image, rest);
    if (auto it = j.find("build"); it != j.end() && it->is_object()) {
      Build b;
      Rest br(*it);
      take(*it, "context", b.context, br);
      take(*it, "dockerfile", b.dockerfile, br);
      if (auto a = it->find("args"); a != it->end() && a->is_object()) b.args = string_map(*a), br.erase("args");
      take(*it, "target", b.target, br);
      b.other = br.finish();
      s.build = b;
      rest.erase("build");
    }
    take(j, "command", s.command, rest);
    take(j, "entrypoint", s.entrypoint, rest);
    if (auto it = j.find("environment"); it != j.end() && it->is_object()) s.environment = string_map(*it), rest.erase("environment");
    if (auto it = j.find("ports"); it != j.end()) {
      for (const Json& p : *it) {
        Port port;
        Rest pr(p);
        take(p, "target", port.target, pr);
        take(p, "published", port.published, pr);
        take(p, "protocol", port.protocol, pr);
        take(p, "mode", port.mode, pr);
        take(p, "host_ip", port.host_ip, pr);
        take(p, "name", port.name, pr);
        take(p, "app_protocol", port.app_protocol, pr);
        s.ports.push_back(port);
      }
      rest.erase("ports");
    }
    take(j, "expose", s.expose, rest);
    if (auto it = j.find("volumes"); it != j.end()) {
      for (const Json& v : *it) {
        Mount m;
        Rest vr(v);
        take(v, "type", m.type, vr);
        take(v, "source", m.source, vr);
        take(v, "target", m.target, vr);
        take(v, "read_only", m.read_only, vr);
        m.other = vr.finish();
        s.volumes.push_back(m);
      }
      rest.erase("volumes");
    }
    take(j, "tmpfs", s.tmpfs, rest);
    if (auto it = j.find("networks"); it != j.end() && it->is_object()) {
      for (auto n = it->begin(); n != it->end(); ++n) {
        if (n->is_null()) {
          s.networks[n.key()] = std::nullopt;
          continue;
        }
        ServiceNetwork sn;
        Rest nr(*n);
        take(*n, "aliases", sn.aliases, nr);
        take(*n, "ipv4_address", sn.ipv4_address, nr);
        take(*n, "ipv6_address", sn.ipv6_address, nr);
        sn.other = nr.finish();
        s.networks[n.key()] = sn;
      }
      rest.erase("networks");
    }
    if (auto it = j.find("depends_on"); it != j.end() && it->is_object()) {
      for (auto d = it->begin(); d != it->end(); ++d) {
        Dependency dep;
        Rest dr(*d);
        if (d->is_object()) {
          take(*d, "condition", dep.condition, dr);
          take(*d, "required", dep.required, dr);
          take(*d, "restart", dep.restart, dr);
        }
        s.depends_on[d.key()] = dep;
      }
      rest.erase("depends_on");
    }
    if (auto it = j.find("healthcheck"); it != j.end() && it->is_object()) {
      Healthcheck h;
      Rest hr(*it);
      take(*it, "test", h.test, hr);
      take_duration(*it, "interval", h.interval_ns, hr);
      take_duration(*it, "timeout", h.timeout_ns, hr);
      take_duration(*it, "start_period", h.start_period_ns, hr);
      take_duration(*it, "start_interval", h.start_interval_ns, hr);
      take(*it, "retries", h.retries, hr);
      take(*it, "disable", h.disable, hr);
      s.healthcheck = h;
      rest.erase("healthcheck");
    }
    take(j, "restart", s.restart, rest);
    if (auto it = j.find("deploy"); it != j.end() && it->is_object()) {
      Deploy d;
      Rest dr(*it);
      take(*it, "replicas", d.replicas, dr);
      Json resources_rest = Json::object();
      if (auto r = it->find("resources"); r != it->end() && r->is_object()) {
        Rest rr(*r);
        if (auto l = r->find("limits"); l != r->end() && l->is_object()) d.limits = resources_from(*l), rr.erase("limits");
        if (auto l = r->find("reservations"); l != r->end() && l->is_object())
          d.reservations = resources_from(*l), rr.erase("reservations");
        resources_rest = rr.finish();
        dr.erase("resources");
      }
      d.other = dr.finish();
      if (!resources_rest.empty()) d.other["resources"] = resources_rest;
      s.deploy = d;
      rest.erase("deploy");
    }
    take(j, "labels", s.labels, rest);
    take(j, "container_name", s.container_name, rest);
    take(j, "hostname", s.hostname, rest);
    take(j, "domainname", s.domainname, rest);
    take(j, "user", s.user, rest);
    take(j, "working_dir", s.working_dir, rest);
    take(j, "init", s.init, rest);
    take(j, "read_only", s.read_only, rest);
    take(j, "privileged", s.privileged, rest);
    take(j, "tty", s.tty, rest);
    take(j, "stdin_open", s.stdin_open, rest);
    take(j, "cap_add", s.cap_add, rest);
    take(j, "cap_drop", s.cap_drop, rest);
    take(j, "security_opt", s.security_opt, rest);
    take(j, "dns", s.dns, rest);
    take(j, "dns_search", s.dns_search, rest);
    take(j, "profiles", s.profiles, rest);
    take(j, "volumes_from", s.volumes_from, rest);
    take(j, "links", s.links, rest);
    if (auto it = j.find("ulimits"); it != j.end() && it->is_object()) {
      for (auto u = it->begin(); u != it->end(); ++u) {
        Ulimit ul;
        if (u->is_number()) ul.soft = ul.hard = u->get<int64_t>(), ul.single = true;
        else ul.soft = u->value("soft", int64_t{0}), ul.hard = u->value("hard", int64_t{0});
        s.ulimits[u.key()] = ul;
      }
      rest.erase("ulimits");
    }
    take(j, "sysctls", s.sysctls, rest);
    take(j, "shm_size", s.shm_size, rest);
    take(j, "mem_limit", s.mem_limit, rest);
    take(j, "pids_limit", s.pids_limit, rest);
    take(j, "cpus", s.cpus, rest);
    take(j, "extra_hosts", s.extra_hosts, rest);
    take(j, "stop_signal", s.stop_signal, rest);
    take_duration(j, "stop_grace_period", s.stop_grace_period_ns, rest);
    for (auto [key, list] : {std::pair{"secrets", &s.secrets}, std::pair{"configs", &s.configs}}) {
      auto it = j.find(key);
      if (it == j.end()) continue;
      for (const Json& f : *it) {
        FileRef r;
        Rest fr(f);
        take(f, "source", r.source, fr);
        take(f, "target", r.target, fr);
        take(f, "uid", r.uid, fr);
        take(f, "gid", r.gid, fr);
        take(f, "mode", r.mode, fr);
        list->push_back(r);
      }
      rest.erase(key);
    }
    take(j, "network_mode", s.network_mode, rest);
    take(j, "pid", s.pid, rest);
    take(j, "ipc", s.ipc, rest);
    take(j, "pull_policy", s.pull_policy, rest);
    if (auto it = j.find("logging"); it != j.end() && it->is_object()) {
      Logging l;
      l.driver = it->value("driver", "");
      if (auto o = it->find("options"); o != it->end() && o->is_object())
        for (auto e = o->begin(); e != o->end(); ++e) l.options[e.key()] = e->is_string() ? e->get<std::string>() : e->dump();
      s.logging = l;
      rest.erase("logging");
    }
  } catch (const Json::exception& e) {
    return engine::base::invalid("services." + name + ": " + e.what());
  }
  s.extensions = rest.finish(true);
  s.other = rest.finish(false, true);
  return s;
}

Json service_to_json(const Service& s) {
  Json j = s.other;
  merge_into(j, s.extensions);
  put(j, "image", s.image);
  if (s.build) {
    Json b = s.build->other;
    put(b, "context", s.build->context);
    put(b, "dockerfile", s.build->dockerfile);
    if (!s.build->args.empty()) b["args"] = string_map_json(s.build->args);
    put(b, "target", s.build->target);
    j["build"] = b;
  }
  put(j, "command", s.command);
  put(j, "entrypoint", s.entrypoint);
  if (!s.environment.empty()) j["environment"] = string_map_json(s.environment);
  if (!s.ports.empty()) {
    Json a = Json::array();
    for (const Port& p : s.ports) {
      Json o = {{"target", p.target}, {"protocol", p.protocol}, {"mode", p.mode}};
      put(o, "published", p.published);
      put(o, "host_ip", p.host_ip);
      put(o, "name", p.name);
      put(o, "app_protocol", p.app_protocol);
      a.push_back(o);
    }
    j["ports"] = a;
  }
  put(j, "expose", s.expose);
  if (!s.volumes.empty()) {
    Json a = Json::array();
    for (const Mount& m : s.volumes) {
      Json o = m.other;
      put(o, "type", m.type);
      put(o, "source", m.source);
      put(o, "target", m.target);
      put(o, "read_only", m.read_only);
      a.push_back(o);
    }
    j["volumes"] = a;
  }
  put(j, "tmpfs", s.tmpfs);
  if (!s.networks.empty()) {
    Json n = Json::object();
    for (const auto& [k, v] : s.networks) {
      if (!v) {
        n[k] = nullptr;
        continue;
      }
      Json o = v->other;
      put(o, "aliases", v->aliases);
      put(o, "ipv4_address", v->ipv4_address);
      put(o, "ipv6_address", v->ipv6_address);
      n[k] = o;
    }
    j["networks"] = n;
  }
  if (!s.depends_on.empty()) {
    Json d = Json::object();
    for (const auto& [k, v] : s.depends_on) {
      d[k] = {{"condition", v.condition}, {"required", v.required}};
      if (v.restart) d[k]["restart"] = true;
    }
    j["depends_on"] = d;
  }
  if (s.healthcheck) {
    const Healthcheck& h = *s.healthcheck;
    Json o = Json::object();
    put(o, "test", h.test);
    put_duration(o, "interval", h.interval_ns);
    put_duration(o, "timeout", h.timeout_ns);
    put_duration(o, "start_period", h.start_period_ns);
    put_duration(o, "start_interval", h.start_interval_ns);
    put(o, "retries", h.retries);
    put(o, "disable", h.disable);
    j["healthcheck"] = o;
  }
  put(j, "restart", s.restart);
  if (s.deploy) {
    Json d = s.deploy->other;
    put(d, "replicas", s.deploy->replicas);
    Json l = resources_json(s.deploy->limits), r = resources_json(s.deploy->reservations);
    if (!l.empty()) d["resources"]["limits"] = l;
    if (!r.empty()) d["resources"]["reservations"] = r;
    j["deploy"] = d;
  }
  put(j, "labels", s.labels);
  put(j, "container_name", s.container_name);
  put(j, "hostname", s.hostname);
  put(j, "domainname", s.domainname);
  put(j, "user", s.user);
  put(j, "working_dir", s.working_dir);
  put(j, "init", s.init);
  put(j, "read_only", s.read_only);
  put(j, "privileged", s.privileged);
  put(j, "tty", s.tty);
  put(j, "stdin_open", s.stdin_open);
  put(j, "cap_add", s.cap_add);
  put(j, "cap_drop", s.cap_drop);
  put(j, "security_opt", s.security_opt);
  put(j, "dns", s.dns);
  put(j, "dns_search", s.dns_search);
  put(j, "profiles", s.profiles);
  put(j, "volumes_from", s.volumes_from);
  put(j, "links", s.links);
  if (!s.ulimits.empty()) {
    Json u = Json::object();
    for (const auto& [k, v] : s.ulimits)
      u[k] = v.single ? Json(v.soft) : Json{{"soft", v.soft}, {"hard", v.hard}};
    j["ulimits"] = u;
  }
  put(j, "sysctls", s.sysctls);
  put(j, "shm_size", s.shm_size);
  put(j, "mem_limit", s.mem_limit);
  put(j, "pids_limit", s.pids_limit);
  put(j, "cpus", s.cpus);
  put(j, "extra_hosts", s.extra_hosts);
  put(j, "stop_signal", s.stop_signal);
  put_duration(j, "stop_grace_period", s.stop_grace_period_ns);
  for (auto [key, list] : {std::pair{"secrets", &s.secrets}, std::pair{"configs", &s.configs}}) {
    if (list->empty()) continue;
    Json a = Json::array();
    for (const FileRef& r : *list) {
      Json o = Json::object();
      put(o, "source", r.source);
      put(o, "target", r.target);
      put(o, "uid", r.uid);
      put(o, "gid", r.gid);
      put(o, "mode", r.mode);
      a.push_back(o);
    }
    j[key] = a;
  }
  put(j, "network_mode", s.network_mode);
  put(j, "pid", s.pid);
  put(j, "ipc", s.ipc);
  put(j, "pull_policy", s.pull_policy);
  if (s.logging) {
    Json o = Json::object();
    put(o, "driver", s.logging->driver);
    if (!s.logging->options.empty()) o["options"] = s.logging->options;
    j["logging"] = o;
  }
  return j;
}

engine::base::Result<Project> project_from_json(const Json& j) {
  Project p;
  if (!j.is_object()) return engine::base::invalid("project must be a mapping");
  p.name = j.value("name", "");
  if (auto it = j.find("services"); it != j.end() && it->is_object())
    for (auto s = it->begin(); s != it->end(); ++s) {
      auto svc = service_from_json(s.key(), *s);
      if (!svc) return svc.take_error();
      p.services.emplace(s.key(), std::move(*svc));
    }
  for (auto [key, map] : {std::pair{"networks", &p.networks}, std::pair{"volumes", &p.volumes},
                          std::pair{"secrets", &p.secrets}, std::pair{"configs", &p.configs}})
    if (auto it = j.find(key); it != j.end() && it->is_object())
      for (auto r = it->begin(); r != it->end(); ++r) (*map)[r.key()] = resource_from_json(*r);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (engine::base::starts_with(it.key(), "x-")) p.extensions[it.key()] = it.value();
  return p;
}

Json project_to_json(const Project& p) {
  Json j = p.extensions;
  j["name"] = p.name;
  Json services = Json::object();
  for (const auto& [k, s] : p.services) services[k] = service_to_json(s);
  j["services"] = services;
  for (auto [key, map] : {std::pair{"networks", &p.networks}, std::pair{"volumes", &p.volumes},
                          std::pair{"secrets", &p.secrets}, std::pair{"configs", &p.configs}}) {
    if (map->empty()) continue;
    Json o = Json::object();
    for (const auto& [k, r] : *map) o[k] = resource_to_json(r);
    j[key] = o;
  }
  return j;
}

std::string config_hash(const Service& s) {
  Json j = service_to_json(s);
  if (j.contains("deploy")) {
    // `deploy:` may be null (an empty key); replicas never change a container's config.
    if (j["deploy"].is_object()) j["deploy"].erase("replicas");
    if (j["deploy"].empty()) j.erase("deploy");
  }
  j.erase("scale");
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  return engine::base::to_hex(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

}  // namespace compose::model
