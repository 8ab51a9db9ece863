#pragma once
/// The typed compose model: what the loader produces and the orchestrator consumes.
/// Values are canonical (long syntax, absolute paths, durations in nanoseconds, sizes in
/// bytes). Keys the model does not type are kept in `other` so nothing is dropped, and
/// x-* extensions in `extensions`; codec.h converts to and from the canonical JSON.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace compose::model {

using Json = nlohmann::json;
/// Environment / labels / args: a null value means "declared without a value".
using StringMap = std::map<std::string, std::optional<std::string>>;

struct Build {
  std::string context;
  std::string dockerfile;
  StringMap args;
  std::string target;
  Json other = Json::object();  ///< cache_from, labels, network, ...
};

/// One published or exposed port in long syntax.
struct Port {
  uint32_t target = 0;
  std::string published;  ///< "" when not published; may be a range "8000-8010"
  std::string protocol = "tcp";
  std::string mode = "ingress";
  std::string host_ip;
  std::string name;
  std::string app_protocol;
};

/// A service volume mount in long syntax (type bind, volume, tmpfs, npipe, cluster).
struct Mount {
  std::string type;
  std::string source;
  std::string target;
  bool read_only = false;
  Json other = Json::object();  ///< bind{create_host_path,propagation,selinux}, volume{nocopy,subpath}, tmpfs{size,mode}, consistency
};

/// A service's attachment to one network.
struct ServiceNetwork {
  std::vector<std::string> aliases;
  std::string ipv4_address;
  std::string ipv6_address;
  Json other = Json::object();  ///< priority, mac_address, link_local_ips, driver_opts
};

struct Dependency {
  std::string condition = "service_started";  ///< service_started | service_healthy | service_completed_successfully
  bool required = true;
  bool restart = false;
};

struct Healthcheck {
  std::vector<std::string> test;  ///< ["CMD", ...], ["CMD-SHELL", cmd] or ["NONE"]
  std::optional<int64_t> interval_ns, timeout_ns, start_period_ns, start_interval_ns;
  std::optional<int64_t> retries;
  bool disable = false;
};

struct Resources {
  std::optional<double> cpus;
  std::optional<int64_t> memory;  ///< bytes
  std::optional<int64_t> pids;
  Json other = Json::object();    ///< devices, generic_resources
};

struct Deploy {
  std::optional<int64_t> replicas;
  Resources limits, reservations;
  Json other = Json::object();  ///< mode, restart_policy, labels, update_config, placement, ...
};

struct Ulimit {
  int64_t soft = 0, hard = 0;
  bool single = false;  ///< written as one number (soft == hard)
};

struct Logging {
  std::string driver;
  std::map<std::string, std::string> options;
};

/// secrets: / configs: entry of a service.
struct FileRef {
  std::string source;
  std::string target;
  std::string uid, gid;
  std::optional<int64_t> mode;
};

struct Service {
  std::string name;
  std::string image;
  std::optional<Build> build;
  std::optional<std::vector<std::string>> command, entrypoint;  ///< nullopt: image default
  StringMap environment;
  std::vector<Port> ports;
  std::vector<std::string> expose;
  std::vector<Mount> volumes;
  std::vector<std::string> tmpfs;
  std::map<std::string, std::optional<ServiceNetwork>> networks;
  std::map<std::string, Dependency> depends_on;
  std::optional<Healthcheck> healthcheck;
  std::string restart;
  std::optional<Deploy> deploy;
  std::map<std::string, std::string> labels;
  std::string container_name, hostname, domainname, user, working_dir;
  std::optional<bool> init;
  bool read_only = false, privileged = false, tty = false, stdin_open = false;
  std::vector<std::string> cap_add, cap_drop, security_opt, dns, dns_search, profiles, volumes_from, links;
  std::map<std::string, Ulimit> ulimits;
  std::map<std::string, std::string> sysctls;
  std::optional<int64_t> shm_size, mem_limit, pids_limit;
  std::optional<double> cpus;
  std::vector<std::string> extra_hosts;  ///< "host=ip"
  std::string stop_signal;
  std::optional<int64_t> stop_grace_period_ns;
  std::vector<FileRef> secrets, configs;
  std::string network_mode, pid, ipc, pull_policy;
  std::optional<Logging> logging;
  Json extensions = Json::object();  ///< x-* keys
  Json other = Json::object();       ///< every other valid key, kept verbatim
};

/// Top-level networks / volumes / secrets / configs entry.
struct Resource {
  std::string name;       ///< the engine-side name (<project>_<key> unless name: or external)
  bool external = false;
  std::string driver;
  std::map<std::string, std::string> labels;
  std::string file;       ///< secrets/configs: absolute path of the file source
  Json other = Json::object();  ///< driver_opts, ipam, internal, attachable, enable_ipv6, environment, content, ...
};

struct Project {
  std::string name;
  std::string working_dir;
  std::vector<std::string> files;
  std::vector<std::string> profiles;          ///< active profiles
  std::vector<std::string> warnings;          ///< loader warnings for the user (not part of the model)
  std::map<std::string, Service> services;    ///< by name
  std::map<std::string, Resource> networks, volumes, secrets, configs;
  Json extensions = Json::object();           ///< top-level x-* keys
};

}  // namespace compose::model
