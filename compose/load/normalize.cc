#include "compose/load/normalize.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "compose/graph/graph.h"
#include "compose/load/env_file.h"
#include "compose/load/forms.h"
#include "compose/load/paths.h"
#include "compose/model/parallel.h"
#include "compose/model/units.h"
#include "engine/base/strings.h"

namespace compose::load {
namespace {

bool is_remote_context(const std::string& s) {
  return s.find("://") != std::string::npos || engine::base::starts_with(s, "git@") ||
         engine::base::starts_with(s, "github.com/");
}

/// Applies f to the value at key when present.
template <class F>
void with(Node& n, std::string_view key, F f) {
  if (Node* v = n.find(key)) f(*v);
}

Node to_list(const Node& n) {
  if (n.is_seq()) return n;
  Node l = Node::seq(n.mark);
  if (!n.is_null()) l.items.push_back(n);
  return l;
}

/// string_map for labels, sysctls and annotations: a key without a value is the empty
/// string there (only environment and build args keep null), as docker compose reads them.
Node label_map(const Node& n, const std::string& path, Diagnostics& diags) {
  Node m = string_map(n, path, diags);
  for (Entry& e : m.entries)
    if (e.value.is_null()) e.value = Node::str("", e.value.mark);
  return m;
}

void normalize_build(Node& svc, const std::string& p, const NormalizeContext& ctx, Diagnostics& diags) {
  Node* b = svc.find("build");
  if (!b) return;
  if (b->is_scalar()) {
    Node m = Node::map(b->mark);
    m.set("context", *b);
    *b = std::move(m);
  }
  if (!b->is_map()) return;
  Node& ctxn = b->at("context", b->mark);
  if (ctxn.is_null()) ctxn = Node::str(".", b->mark);
  if (ctx.resolve_paths && !is_remote_context(ctxn.text))
    ctxn = Node::str(absolute_path(ctx.project_directory, ctxn.text, ctx.home), ctxn.mark);
  if (!b->find("dockerfile") && !b->find("dockerfile_inline")) b->set("dockerfile", Node::str("Dockerfile", b->mark));
  with(*b, "args", [&](Node& a) {
    a = string_map(a, p + ".build.args", diags);
    for (Entry& e : a.entries)  // like environment: a name alone takes the shell's value
      if (e.value.is_null() && ctx.env)
        if (auto v = ctx.env->get(e.key)) e.value = Node::str(*v, e.value.mark);
  });
  with(*b, "labels", [&](Node& a) { a = label_map(a, p + ".build.labels", diags); });
  with(*b, "shm_size", [&](Node& a) { a = bytes_node(a, p + ".build.shm_size", diags); });
}

void normalize_command(Node& svc, const char* key, const std::string& p, Diagnostics& diags) {
  with(svc, key, [&](Node& c) {
    if (!c.is_scalar()) return;
    std::vector<std::string> words;
    if (!shell_split(c.text, words)) {
      diags.add(c.mark, p + "." + key, "unterminated quote in \"" + c.text + "\"");
      return;
    }
    Node l = Node::seq(c.mark);
    for (std::string& w : words) l.items.push_back(Node::str(std::move(w), c.mark));
    c = std::move(l);
  });
}

void normalize_environment(Node& svc, const std::string& p, const NormalizeContext& ctx, Diagnostics& diags) {
  Node env = Node::map(svc.mark);
  if (const Node* ef = svc.find("env_file")) {
    Node files = to_list(*ef);
    for (size_t i = 0; i < files.items.size(); ++i) {
      const Node& f = files.items[i];
      std::string path = f.is_map() ? f.get_text("path") : f.text;
      bool required = true;
      if (const Node* r = f.find("required")) scalar_bool(*r, required);
      std::string abs = absolute_path(ctx.project_directory, path, ctx.home);
      if (!ctx.fs || !ctx.fs->is_file(abs)) {
        if (required) diags.add(f.mark, p + ".env_file[" + std::to_string(i) + "]", "env file " + abs + " not found");
        continue;
      }
      auto text = ctx.fs->read(abs);
      if (!text) {
        diags.add(f.mark, p + ".env_file[" + std::to_string(i) + "]", text.error().str());
        continue;
      }
      auto pairs = f.is_map() && f.get_text("format") == "raw" ? parse_raw_env_file(*text, abs, *ctx.env)
                                                              : parse_env_file(*text, abs, *ctx.env);
      if (!pairs) {
        diags.add(f.mark, p + ".env_file[" + std::to_string(i) + "]", pairs.error().message);
        continue;
      }
      for (auto& [k, v] : *pairs) env.set(k, Node::str(v, f.mark));
    }
    svc.erase("env_file");
  }
  if (const Node* e = svc.find("environment")) {
    Node m = string_map(*e, p + ".environment", diags);
    for (Entry& entry : m.entries) {
      if (entry.value.is_null() && ctx.env)
        if (auto v = ctx.env->get(entry.key)) entry.value = Node::str(*v, entry.value.mark);
      env.set(entry.key, std::move(entry.value));
    }
  }
  if (!env.entries.empty() || svc.find("environment")) svc.set("environment", std::move(env));
}

void normalize_healthcheck(Node& svc, const std::string& p, Diagnostics& diags) {
  Node* h = svc.find("healthcheck");
  if (!h || !h->is_map()) return;
  std::string hp = p + ".healthcheck";
  bool disable = false;
  if (const Node* d = h->find("disable"); d && scalar_bool(*d, disable)) {
    Mark m = d->mark;
    h->erase("disable");  // docker compose prints neither disable: true nor disable: false
    if (disable) {
      h->set("test", Node::seq(m));
      h->find("test")->items.push_back(Node::str("NONE", h->mark));
    }
  }
  with(*h, "test", [&](Node& t) {
    if (!t.is_scalar()) return;
    Node l = Node::seq(t.mark);
    l.items.push_back(Node::str("CMD-SHELL", t.mark));
    l.items.push_back(Node::str(t.text, t.mark));
    t = std::move(l);
  });
  for (const char* k : {"interval", "timeout", "start_period", "start_interval"})
    with(*h, k, [&](Node& d) { d = duration_node(d, hp + "." + k, diags); });
}

void normalize_deploy(Node& svc, const std::string& p, Diagnostics& diags) {
  Node* d = svc.find("deploy");
  if (!d || !d->is_map()) return;
  std::string dp = p + ".deploy";
  with(*d, "labels", [&](Node& l) { l = label_map(l, dp + ".labels", diags); });
  with(*d, "resources", [&](Node& r) {
    for (const char* k : {"limits", "reservations"})
      with(r, k, [&](Node& l) {
        with(l, "memory", [&](Node& m) { m = bytes_node(m, dp + ".resources." + k + ".memory", diags); });
        with(l, "cpus", [&](Node& c) {
          if (c.is_scalar()) c.style = Style::Plain;
        });
      });
  });
  for (const char* k : {"restart_policy", "update_config", "rollback_config"})
    with(*d, k, [&](Node& rp) {
      for (const char* f : {"delay", "window", "monitor"})
        with(rp, f, [&](Node& v) { v = duration_node(v, dp + "." + k + "." + f, diags); });
    });
}

/// mem_limit / cpus / pids_limit beside deploy.resources.limits must agree.
void check_legacy_limits(Node& svc, const std::string& p, Diagnostics& diags) {
  const Node* limits = nullptr;
  if (const Node* d = svc.find("deploy"))
    if (const Node* r = d->find("resources")) limits = r->find("limits");
  if (!limits) return;
  for (auto [legacy, key] : {std::pair{"mem_limit", "memory"}, std::pair{"cpus", "cpus"}, std::pair{"pids_limit", "pids"}}) {
    const Node* a = svc.find(legacy);
    const Node* b = limits->find(key);
    if (a && b && to_json(*a) != to_json(*b))
      diags.add(a->mark, p + "." + legacy, std::string("conflicts with deploy.resources.limits.") + key);
  }
}

void normalize_file_refs(Node& svc, const char* key) {
  with(svc, key, [&](Node& l) {
    for (Node& r : l.items)
      if (r.is_scalar()) {
        Node m = Node::map(r.mark);
        m.set("source", Node::str(r.text, r.mark));
        r = std::move(m);
      }
  });
}

void normalize_extra_hosts(Node& svc, const std::string& p, Diagnostics& diags) {
  Node* h = svc.find("extra_hosts");
  if (!h) return;
  Node l = Node::seq(h->mark);
  if (h->is_map()) {
    for (const Entry& e : h->entries)
      for (const Node& ip : to_list(e.value).items) l.items.push_back(Node::str(e.key + "=" + ip.text, ip.mark));
  } else if (h->is_seq()) {
    for (const Node& i : h->items) {
      std::string t = i.text;
      size_t eq = t.find('='), colon = t.find(':');
      if (eq == std::string::npos && colon == std::string::npos) {
        diags.add(i.mark, p + ".extra_hosts", "invalid extra host \"" + t + "\"");
        continue;
      }
      if (eq == std::string::npos) t[colon] = '=';
      l.items.push_back(Node::str(t, i.mark));
    }
  }
  *h = std::move(l);
}

}  // namespace

void resolve_service_paths(Node& svc, const std::string& dir, const std::string& home) {
  with(svc, "build", [&](Node& b) {
    Node* c = b.is_scalar() ? &b : b.find("context");
    if (c && c->is_scalar() && !is_remote_context(c->text)) c->text = absolute_path(dir, c->text, home);
    if (b.is_map() && !b.find("context")) b.set("context", Node::str(clean_path(dir), b.mark));
  });
  for (const char* key : {"env_file", "label_file"})
    with(svc, key, [&](Node& e) {
      if (e.is_scalar()) e.text = absolute_path(dir, e.text, home);
      for (Node& i : e.items) {
        if (i.is_scalar()) i.text = absolute_path(dir, i.text, home);
        else if (Node* pth = i.find("path")) pth->text = absolute_path(dir, pth->text, home);
      }
    });
  with(svc, "volumes", [&](Node& vols) {
    for (Node& v : vols.items) {
      if (v.is_scalar()) {
        if (!v.text.empty() && (v.text[0] == '.' || v.text[0] == '~') && v.text.find(':') != std::string::npos)
          v.text = absolute_path(dir, v.text.substr(0, v.text.find(':')), home) + v.text.substr(v.text.find(':'));
      } else if (v.get_text("type") == "bind") {
        if (Node* s = v.find("source")) s->text = absolute_path(dir, s->text, home);
      }
    }
  });
  with(svc, "extends", [&](Node& e) {
    if (Node* f = e.find("file")) f->text = absolute_path(dir, f->text, home);
  });
}

void normalize_service(Node& svc, const std::string& name, const NormalizeContext& ctx, Diagnostics& diags) {
  if (!svc.is_map()) return;
  std::string p = "services." + name;
  normalize_build(svc, p, ctx, diags);
  normalize_command(svc, "command", p, diags);
  normalize_command(svc, "entrypoint", p, diags);
  normalize_environment(svc, p, ctx, diags);
  with(svc, "ports", [&](Node& ports) {
    Node out = Node::seq(ports.mark);
    for (size_t i = 0; i < ports.items.size(); ++i)
      for (Node& e : port_long(ports.items[i], p + ".ports[" + std::to_string(i) + "]", diags))
        out.items.push_back(std::move(e));
    // Ranges expand to one entry per port; bound the expansion like any other input.
    if (out.items.size() > 65536) {
      diags.add(ports.mark, p + ".ports", "port ranges expand to more than 65536 ports");
      out.items.clear();
    }
    ports = std::move(out);
  });
  with(svc, "expose", [&](Node& ex) {
    for (Node& e : ex.items) e = Node::str(scalar_string(e), e.mark);
  });
  with(svc, "volumes", [&](Node& vols) {
    for (size_t i = 0; i < vols.items.size(); ++i)
      vols.items[i] = volume_long(vols.items[i], p + ".volumes[" + std::to_string(i) + "]", ctx.project_directory,
                                  ctx.home, ctx.resolve_paths, diags);
  });
  with(svc, "tmpfs", [&](Node& t) { t = to_list(t); });
  for (const char* k : {"dns", "dns_search", "dns_opt"}) with(svc, k, [&](Node& t) { t = to_list(t); });
  with(svc, "networks", [&](Node& n) {
    if (!n.is_seq()) return;
    Node m = Node::map(n.mark);
    for (const Node& i : n.items) m.entries.push_back(Entry{i.text, i.mark, Node::null(i.mark)});
    n = std::move(m);
  });
  if (!svc.find("networks") && !svc.find("network_mode")) {
    Node m = Node::map(svc.mark);
    m.set("default", Node::null(svc.mark));
    svc.set("networks", std::move(m));
  }
  with(svc, "depends_on", [&](Node& d) {
    Node m = Node::map(d.mark);
    if (d.is_seq())
      for (const Node& i : d.items) m.entries.push_back(Entry{i.text, i.mark, Node::map(i.mark)});
    else if (d.is_map())
      m = d;
    for (Entry& e : m.entries) {
      if (!e.value.is_map()) e.value = Node::map(e.key_mark);
      if (!e.value.find("condition")) e.value.set("condition", Node::str("service_started", e.key_mark));
      if (!e.value.find("required")) e.value.set("required", Node::plain("true", e.key_mark));
    }
    d = std::move(m);
  });
  normalize_healthcheck(svc, p, diags);
  normalize_deploy(svc, p, diags);
  for (const char* k : {"labels", "sysctls", "annotations"})
    with(svc, k, [&](Node& l) { l = label_map(l, p + "." + k, diags); });
  for (const char* k : {"shm_size", "mem_limit", "memswap_limit", "mem_reservation"})
    with(svc, k, [&](Node& v) { v = bytes_node(v, p + "." + k, diags); });
  with(svc, "cpus", [&](Node& c) {
    if (c.is_scalar()) c.style = Style::Plain;
  });
  with(svc, "stop_grace_period", [&](Node& v) { v = duration_node(v, p + ".stop_grace_period", diags); });
  with(svc, "pull_policy", [&](Node& v) {
    if (v.is_scalar() && v.text == "if_not_present") v.text = "missing";  // docker compose's canonical name
  });
  check_legacy_limits(svc, p, diags);
  normalize_file_refs(svc, "secrets");
  normalize_file_refs(svc, "configs");
  normalize_extra_hosts(svc, p, diags);
  // Like docker compose, a false flag is the same as no flag.
  for (const char* k : {"privileged", "read_only", "tty", "stdin_open", "oom_kill_disable"}) {
    bool b = true;
    if (const Node* v = svc.find(k); v && scalar_bool(*v, b) && !b) svc.erase(k);
  }
  if (const Node* found = svc.find("scale")) {
    Node scale_copy = *found;
    const Node* scale = &scale_copy;
    Node& d = svc.at("deploy", scale->mark);
    if (d.is_null()) d = Node::map(scale->mark);
    const Node* r = d.find("replicas");
    if (r && to_json(*r) != to_json(*scale)) diags.add(scale->mark, p + ".scale", "conflicts with deploy.replicas");
    if (!r) d.set("replicas", *scale);
    svc.erase("scale");
  }
}

namespace {

/// normalize_service on every service. A big project does its second half on a second
/// thread: services are normalized independently and diagnostics are sorted when printed.
/// Services that read an env_file through ctx.fs keep everything on this thread.
void normalize_services(std::vector<Entry>& services, const NormalizeContext& ctx, Diagnostics& diags) {
  size_t half = services.size() / 2;
  bool two = services.size() >= 64 && model::can_split() &&
             std::none_of(services.begin(), services.end(), [](const Entry& e) { return e.value.find("env_file"); });
  auto run = [&](size_t from, size_t to, Diagnostics& d) {
    for (size_t i = from; i < to; ++i) normalize_service(services[i].value, services[i].key, ctx, d);
  };
  if (!two) return run(0, services.size(), diags);
  Diagnostics second;
  model::run_both([&] { run(0, half, diags); }, [&] { run(half, services.size(), second); });
  diags.append(std::move(second));
}

/// Like docker compose, links, volumes_from and `service:` namespace modes add the service
/// they name to depends_on when it is not there (condition service_started; links and
/// modes also restart: true). Undefined services are left to validate_project.
template <class Defined>
void infer_dependencies(Node& svc, const Defined& defined) {
  struct Dep {
    std::string name;
    Mark mark;
    bool restart;
  };
  std::vector<Dep> deps;
  for (const Entry& e : svc.entries) {  // one pass: this runs for every service
    std::string_view k = e.key;
    const Node& n = e.value;
    if (k == "links") {
      for (const Node& l : n.items) deps.push_back({graph::service_of_link(l.text), l.mark, true});
    } else if (k == "volumes_from") {
      for (const Node& v : n.items) deps.push_back({graph::service_of_volumes_from(v.text), v.mark, false});
    } else if ((k == "network_mode" || k == "ipc" || k == "pid" || k == "uts" || k == "cgroup") && n.is_scalar() &&
               n.text.rfind("service:", 0) == 0) {
      deps.push_back({graph::service_of_network_mode(n.text), n.mark, true});
    }
  }
  for (const Dep& d : deps) {
    if (d.name.empty() || !defined(d.name)) continue;
    Node& on = svc.at("depends_on", d.mark);
    if (on.is_null()) on = Node::map(d.mark);
    if (!on.is_map() || on.find(d.name)) continue;
    Node v = Node::map(d.mark);
    v.set("condition", Node::str("service_started", d.mark));
    v.set("required", Node::plain("true", d.mark));
    if (d.restart) v.set("restart", Node::plain("true", d.mark));
    on.entries.push_back(Entry{d.name, d.mark, std::move(v)});
  }
}

}  // namespace

void normalize_project(Node& root, const NormalizeContext& ctx, Diagnostics& diags) {
  root.erase("version");
  root.set("name", Node::str(ctx.project_name, root.find("name") ? root.find("name")->mark : root.mark));
  bool uses_default = false;
  if (Node* services = root.find("services"); services && services->is_map()) {
    normalize_services(services->entries, ctx, diags);
    std::set<std::string_view> names;  // filled on first use
    auto defined = [&](const std::string& n) {
      if (names.empty())
        for (const Entry& e : services->entries) names.insert(e.key);
      return names.count(n) > 0;
    };
    for (Entry& e : services->entries)
      if (e.value.is_map()) infer_dependencies(e.value, defined);
    for (const Entry& e : services->entries)
      if (const Node* n = e.value.find("networks"); n && n->find("default")) uses_default = true;
  }
  if (uses_default) {
    Node& nets = root.at("networks", root.mark);
    if (nets.is_null()) nets = Node::map(root.mark);
    if (!nets.find("default")) nets.set("default", Node::null(root.mark));
  }
  for (const char* kind : {"networks", "volumes", "secrets", "configs"}) {
    Node* top = root.find(kind);
    if (!top || !top->is_map()) continue;
    for (Entry& e : top->entries) {
      if (e.value.is_null()) e.value = Node::map(e.key_mark);
      if (!e.value.is_map()) continue;
      Node& r = e.value;
      bool external = false;
      if (Node* ext = r.find("external")) {
        if (ext->is_map()) {  // legacy external: {name: x}
          const Node* n = ext->find("name");
          Node name = n ? *n : Node::null();
          *ext = Node::plain("true", ext->mark);
          if (!name.is_null()) r.set("name", std::move(name));
          ext = r.find("external");
        }
        scalar_bool(*ext, external);
      }
      if (!r.find("name")) r.set("name", Node::str(external ? e.key : ctx.project_name + "_" + e.key, e.key_mark));
      with(r, "labels", [&](Node& l) { l = label_map(l, std::string(kind) + "." + e.key + ".labels", diags); });
      with(r, "file", [&](Node& f) {
        if (ctx.resolve_paths && f.is_scalar()) f = Node::str(absolute_path(ctx.project_directory, f.text, ctx.home), f.mark);
      });
    }
  }
}

}  // namespace compose::load
