#pragma once
/// The flags of `berth run` / `berth create` and the Docker create body they make.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"

namespace CLI {
class App;
}

namespace cli {

struct ContainerFlags {
  std::string name, user, workdir, entrypoint, hostname, network = "", restart, memory, memory_swap, cpus,
      shm_size, stop_signal, health_cmd, health_interval, health_timeout, health_start_period, ip, mac, ipc, pid,
      uts, log_driver, pull = "missing", platform, cidfile, domainname;
  bool entrypoint_given = false;  ///< --entrypoint was used, maybe with "" (which resets the image's)
  std::vector<std::string> env, env_files, publish, volumes, caps_add, caps_drop, tmpfs, labels, ulimits, sysctls,
      dns, dns_search, dns_option, add_hosts, security_opts, group_add, log_opts, expose, network_aliases, mounts;
  int health_retries = 0, stop_timeout = -1, cpu_shares = 0;
  long long pids_limit = 0;
  bool detach = false, rm = false, interactive = false, tty = false, read_only = false, privileged = false,
       init = false, no_healthcheck = false, publish_all = false;
  std::vector<std::string> command;  ///< IMAGE [COMMAND [ARG...]]
};

/// Adds the run/create flags to cmd (bound to f).
void add_container_flags(CLI::App& cmd, ContainerFlags& f, bool run);

/// Index of the first positional argument of cmd in args[start..] (skipping cmd's flags and
/// their values): where IMAGE (run/create) or CONTAINER (exec) starts; args.size() if none.
size_t first_positional(const CLI::App& cmd, const std::vector<std::string>& args, size_t start);

/// Builds the /containers/create body; errors name the flag and the value.
engine::base::Result<nlohmann::json> create_body(const ContainerFlags& f);

/// Parses one -p value into PortBindings / ExposedPorts entries of body.
engine::base::Status add_port(const std::string& spec, nlohmann::json& port_bindings, nlohmann::json& exposed);

}  // namespace cli
