#include "engine/container/spec_builder.h"

#include <algorithm>

#include "engine/base/strings.h"
#include "engine/container/create_config.h"
#include "engine/container/update.h"
#include "engine/security/capabilities.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

Result<runtime::ContainerSpec> build_spec(const Container& c, const SpecInputs& in) {
  const json& cfg = c.config;
  const json& hc = c.host_config;
  runtime::ContainerSpec s;
  s.id = c.id;
  s.rootfs.lowerdirs = in.lowerdirs;
  s.rootfs.readonly = hc.value("ReadonlyRootfs", false);

  // Process.
  auto& p = s.process;
  p.args = c.path_args;
  p.env = json_strings(cfg, "Env");
  auto has = [&](const std::string& key) {
    return std::any_of(p.env.begin(), p.env.end(), [&](const std::string& e) { return e.rfind(key + "=", 0) == 0; });
  };
  if (!has("PATH")) p.env.insert(p.env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!has("HOSTNAME")) p.env.push_back("HOSTNAME=" + cfg.value("Hostname", ""));
  if (cfg.value("Tty", false) && !has("TERM")) p.env.push_back("TERM=xterm");
  p.cwd = cfg.value("WorkingDir", "");
  if (p.cwd.empty()) p.cwd = "/";
  p.user = cfg.value("User", "");
  for (const auto& g : json_strings(hc, "GroupAdd")) p.group_add.push_back(g);
  p.terminal = cfg.value("Tty", false);
  p.open_stdin = cfg.value("OpenStdin", false);
  p.init = hc.value("Init", false);
  if (hc.contains("Ulimits") && hc["Ulimits"].is_array())
    for (const auto& u : hc["Ulimits"]) {
      runtime::Rlimit r;
      r.type = u.value("Name", "");
      r.soft = static_cast<uint64_t>(u.value("Soft", int64_t(0)));
      r.hard = static_cast<uint64_t>(u.value("Hard", int64_t(0)));
      if (runtime::rlimit_resource(r.type) < 0) return invalid("invalid ulimit type: " + r.type);
      p.rlimits.push_back(r);
    }
  bool privileged = hc.value("Privileged", false);
  for (const auto& so : json_strings(hc, "SecurityOpt")) {
    if (so.rfind("no-new-privileges", 0) == 0 && so.find("false") == std::string::npos) p.no_new_privileges = true;
    if (so == "seccomp=unconfined" || so == "seccomp:unconfined") p.seccomp = "unconfined";
  }
  if (privileged) p.seccomp = "unconfined";
  auto caps = security::resolve_capabilities(json_strings(hc, "CapAdd"), json_strings(hc, "CapDrop"), privileged);
  if (!caps) return caps.take_error();
  p.capabilities = *caps;
  if (hc.contains("OomScoreAdj") && hc["OomScoreAdj"].is_number() && hc["OomScoreAdj"].get<int>() != 0)
    p.oom_score_adj = hc["OomScoreAdj"].get<int>();

  s.hostname = cfg.value("Hostname", "");
  s.domainname = cfg.value("Domainname", "");
  s.privileged = privileged;
  if (hc.contains("ShmSize") && hc["ShmSize"].is_number() && hc["ShmSize"].get<int64_t>() > 0)
    s.shm_size = hc["ShmSize"].get<int64_t>();
  if (hc.contains("Sysctls") && hc["Sysctls"].is_object())
    for (auto& [k, v] : hc["Sysctls"].items())
      if (v.is_string()) s.sysctls[k] = v.get<std::string>();
  std::string sig = cfg.value("StopSignal", "");
  s.stop_signal = sig.empty() ? 15 : parse_signal(sig);
  if (s.stop_signal < 0) return invalid("invalid signal: " + sig);
  if (cfg.contains("StopTimeout") && cfg["StopTimeout"].is_number()) s.stop_timeout = cfg["StopTimeout"].get<int>();

  // Mounts.
  for (const auto& m : c.mounts) {
    runtime::MountSpec ms;
    ms.type = m.type == "tmpfs" ? "tmpfs" : "bind";
    ms.source = m.type == "tmpfs" ? "tmpfs" : m.source;
    ms.target = m.destination;
    ms.options = m.options;
    ms.options.push_back(m.rw ? "rw" : "ro");
    if (m.type != "tmpfs") ms.options.push_back(m.propagation.empty() ? "rprivate" : m.propagation);
    s.mounts.push_back(ms);
  }

  // Namespaces: new unless shared with the host or joined.
  for (const char* t : {"pid", "mount", "uts", "ipc", "cgroup"}) {
    if (std::find(in.host_namespaces.begin(), in.host_namespaces.end(), t) != in.host_namespaces.end()) continue;
    std::string path;
    for (const auto& j : in.joins)
      if (j.type == t) path = j.path;
    s.namespaces.push_back({t, path});
  }
  if (!in.netns_path.empty()) s.namespaces.push_back({"net", in.netns_path});
  if (!in.hosts.empty()) s.hosts_file = in.hosts;
  if (!in.resolv_conf.empty()) s.resolv_conf = in.resolv_conf;
  s.hostname_file = s.hostname + "\n";

  // cgroup.
  s.cgroup.rel_path = "berth/" + c.id;
  auto res = resources_from_host_config(hc);
  if (!res) return res.take_error();
  s.cgroup.resources = *res;

  // Log.
  const json& lc = hc.value("LogConfig", json::object());
  if (lc.value("Type", "json-file") != "none") {
    s.log.path = c.log_path;
    if (lc.contains("Config") && lc["Config"].is_object()) {
      if (auto ms = lc["Config"].value("max-size", ""); !ms.empty()) {
        auto b = parse_bytes(ms);
        if (!b) return b.take_error().wrap("log-opt max-size");
        s.log.max_size = *b;
      }
      if (auto mf = lc["Config"].value("max-file", ""); !mf.empty()) s.log.max_file = std::max(1, std::atoi(mf.c_str()));
    }
  }
  return s;
}

}  // namespace engine::container
