#include "engine/runtime/spec.h"

#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <set>

namespace engine::runtime {

using nlohmann::json;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RootfsSpec, lowerdirs, path, readonly)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Rlimit, type, soft, hard)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MountSpec, type, source, target, options)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NamespaceSpec, type, path)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IdMap, container_id, host_id, size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LogSpec, path, max_size, max_file)

namespace {

template <class T>
void put_opt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <class T>
void get_opt(const json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) v.reset();
  else v = it->template get<T>();
}

template <class T>
void get(const json& j, const char* key, T& v) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(v);
}

}  // namespace

void to_json(json& j, const ProcessSpec& p) {
  j = json{{"args", p.args},   {"env", p.env},         {"cwd", p.cwd},
           {"user", p.user},   {"group_add", p.group_add}, {"terminal", p.terminal},
           {"open_stdin", p.open_stdin}, {"init", p.init}, {"rlimits", p.rlimits},
           {"no_new_privileges", p.no_new_privileges}, {"seccomp", p.seccomp}};
  put_opt(j, "capabilities", p.capabilities);
  put_opt(j, "oom_score_adj", p.oom_score_adj);
}

void from_json(const json& j, ProcessSpec& p) {
  get(j, "args", p.args);
  get(j, "env", p.env);
  get(j, "cwd", p.cwd);
  get(j, "user", p.user);
  get(j, "group_add", p.group_add);
  get(j, "terminal", p.terminal);
  get(j, "open_stdin", p.open_stdin);
  get(j, "init", p.init);
  get(j, "rlimits", p.rlimits);
  get(j, "no_new_privileges", p.no_new_privileges);
  get(j, "seccomp", p.seccomp);
  get_opt(j, "capabilities", p.capabilities);
  get_opt(j, "oom_score_adj", p.oom_score_adj);
}

void to_json(json& j, const CgroupSpec& c) {
  const cgroup::Resources& r = c.resources;
  j = json{{"rel_path", c.rel_path},
           {"resources",
            {{"memory_limit", r.memory_limit}, {"memory_swap", r.memory_swap},
             {"memory_reservation", r.memory_reservation}, {"cpu_quota_us", r.cpu_quota_us},
             {"cpu_period_us", r.cpu_period_us}, {"cpu_shares", r.cpu_shares}, {"cpuset_cpus", r.cpuset_cpus},
             {"cpuset_mems", r.cpuset_mems}, {"pids_limit", r.pids_limit}}}};
}

void from_json(const json& j, CgroupSpec& c) {
  get(j, "rel_path", c.rel_path);
  auto it = j.find("resources");
  if (it == j.end() || !it->is_object()) return;
  cgroup::Resources& r = c.resources;
  get(*it, "memory_limit", r.memory_limit);
  get(*it, "memory_swap", r.memory_swap);
  get(*it, "memory_reservation", r.memory_reservation);
  get(*it, "cpu_quota_us", r.cpu_quota_us);
  get(*it, "cpu_period_us", r.cpu_period_us);
  get(*it, "cpu_shares", r.cpu_shares);
  get(*it, "cpuset_cpus", r.cpuset_cpus);
  get(*it, "cpuset_mems", r.cpuset_mems);
  get(*it, "pids_limit", r.pids_limit);
}

void to_json(json& j, const ExecSpec& e) {
  j = json{{"args", e.args}, {"env", e.env}, {"cwd", e.cwd}, {"user", e.user}, {"tty", e.tty},
           {"privileged", e.privileged}};
}

void from_json(const json& j, ExecSpec& e) {
  get(j, "args", e.args);
  get(j, "env", e.env);
  get(j, "cwd", e.cwd);
  get(j, "user", e.user);
  get(j, "tty", e.tty);
  get(j, "privileged", e.privileged);
}

void to_json(json& j, const ContainerSpec& s) {
  j = json{{"id", s.id},
           {"rootfs", s.rootfs},
           {"process", s.process},
           {"hostname", s.hostname},
           {"domainname", s.domainname},
           {"mounts", s.mounts},
           {"namespaces", s.namespaces},
           {"uid_map", s.uid_map},
           {"gid_map", s.gid_map},
           {"cgroup", s.cgroup},
           {"sysctls", s.sysctls},
           {"privileged", s.privileged},
           {"shm_size", s.shm_size},
           {"stop_signal", s.stop_signal},
           {"stop_timeout", s.stop_timeout},
           {"log", s.log}};
  put_opt(j, "hosts_file", s.hosts_file);
  put_opt(j, "resolv_conf", s.resolv_conf);
  put_opt(j, "hostname_file", s.hostname_file);
  put_opt(j, "masked_paths", s.masked_paths);
  put_opt(j, "readonly_paths", s.readonly_paths);
}

void from_json(const json& j, ContainerSpec& s) {
  get(j, "id", s.id);
  get(j, "rootfs", s.rootfs);
  get(j, "process", s.process);
  get(j, "hostname", s.hostname);
  get(j, "domainname", s.domainname);
  get(j, "mounts", s.mounts);
  get(j, "namespaces", s.namespaces);
  get(j, "uid_map", s.uid_map);
  get(j, "gid_map", s.gid_map);
  get(j, "cgroup", s.cgroup);
  get(j, "sysctls", s.sysctls);
  get(j, "privileged", s.privileged);
  get(j, "shm_size", s.shm_size);
  get(j, "stop_signal", s.stop_signal);
  get(j, "stop_timeout", s.stop_timeout);
  get(j, "log", s.log);
  get_opt(j, "hosts_file", s.hosts_file);
  get_opt(j, "resolv_conf", s.resolv_conf);
  get_opt(j, "hostname_file", s.hostname_file);
  get_opt(j, "masked_paths", s.masked_paths);
  get_opt(j, "readonly_paths", s.readonly_paths);
}

std::string spec_to_string(const ContainerSpec& s) { return json(s).dump(); }

base::Result<ContainerSpec> spec_from_string(const std::string& text) {
  try {
    return json::parse(text).get<ContainerSpec>();
  } catch (const json::exception& e) {
    return base::invalid(std::string("parse container spec: ") + e.what());
  }
}

base::Status validate_spec(const ContainerSpec& s) {
  if (s.id.empty()) return base::invalid("container spec: id is empty");
  if (s.id.find('/') != std::string::npos) return base::invalid("container spec: id \"" + s.id + "\" contains '/'");
  if (s.process.args.empty()) return base::invalid("container spec: process.args is empty");
  if (s.rootfs.lowerdirs.empty() && s.rootfs.path.empty())
    return base::invalid("container spec: rootfs has neither lowerdirs nor path");
  if (s.process.seccomp != "default" && s.process.seccomp != "unconfined")
    return base::invalid("container spec: seccomp \"" + s.process.seccomp + "\" is not default or unconfined");
  static const std::set<std::string> ns_types{"pid", "mount", "mnt", "uts", "ipc", "net", "network", "cgroup", "user"};
  for (size_t i = 0; i < s.namespaces.size(); ++i)
    if (!ns_types.count(s.namespaces[i].type))
      return base::invalid("container spec: namespaces[" + std::to_string(i) + "]: unknown type \"" +
                           s.namespaces[i].type + "\"");
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    const MountSpec& m = s.mounts[i];
    std::string where = "container spec: mounts[" + std::to_string(i) + "]: ";
    if (m.target.empty() || m.target[0] != '/') return base::invalid(where + "target \"" + m.target + "\" is not absolute");
    if (m.type != "bind" && m.type != "volume" && m.type != "tmpfs")
      return base::invalid(where + "unknown type \"" + m.type + "\"");
    if (m.type != "tmpfs" && (m.source.empty() || m.source[0] != '/'))
      return base::invalid(where + "source \"" + m.source + "\" is not absolute");
  }
  for (const Rlimit& r : s.process.rlimits) {
    if (rlimit_resource(r.type) < 0) return base::invalid("container spec: unknown rlimit \"" + r.type + "\"");
    if (r.soft > r.hard) return base::invalid("container spec: rlimit " + r.type + ": soft limit exceeds hard limit");
  }
  return {};
}

const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths{
      "/proc/asound",      "/proc/acpi",        "/proc/kcore",        "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi",        "/sys/firmware",     "/sys/devices/virtual/powercap"};
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                              "/proc/sysrq-trigger"};
  return paths;
}

int rlimit_resource(const std::string& name) {
  static const std::map<std::string, int> table{
      {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},
      {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
      {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
      {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
      {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING},
      {"stack", RLIMIT_STACK}};
  auto it = table.find(name);
  return it == table.end() ? -1 : it->second;
}

}  // namespace engine::runtime
