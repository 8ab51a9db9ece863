#pragma once
/// ContainerSpec: everything berth-shim needs to create one container, close in spirit
/// to the OCI runtime spec but in our own terms. berthd fills it, LinuxRuntime writes it
/// as <bundle>/config.json, berth-shim reads it back. JSON field names are snake_case.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/base/error.h"
#include "engine/cgroup/cgroup.h"

namespace engine::runtime {

/// Root filesystem: an overlay of image layers (lowerdirs, top first) with a per-container
/// upper/work under the bundle, or a plain directory used as is (path).
struct RootfsSpec {
  std::vector<std::string> lowerdirs;  ///< image layer dirs, top first; empty = use path
  std::string path;                    ///< plain rootfs dir (when lowerdirs is empty)
  bool readonly = false;
};

/// One resource limit (RLIMIT_NOFILE as "nofile"); soft <= hard.
struct Rlimit {
  std::string type;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

/// The container's main process.
struct ProcessSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;           ///< "K=V"
  std::string cwd = "/";
  std::string user;                       ///< "uid[:gid]" or "name[:group]"; empty = root
  std::vector<std::string> group_add;     ///< extra groups, numeric or names from /etc/group
  bool terminal = false;
  bool open_stdin = false;                ///< keep stdin open (attach -i); else /dev/null
  bool init = false;                      ///< run a tiny reaper as pid 1 that forwards signals
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<std::vector<std::string>> capabilities;  ///< unset = Docker's default set
  std::string seccomp = "default";        ///< "default" or "unconfined"
  std::optional<int> oom_score_adj;
};

/// A mount inside the container. type bind|volume (source is a host path) or tmpfs.
struct MountSpec {
  std::string type = "bind";
  std::string source;
  std::string target;
  std::vector<std::string> options;  ///< ro, rw, rprivate/private/rslave/slave/rshared/shared, size=, mode=, nosuid, ...
};

/// A namespace to create (empty path) or join (path to an ns file).
struct NamespaceSpec {
  std::string type;  ///< pid, mount, uts, ipc, net, cgroup, user
  std::string path;
};

/// uid/gid mapping for user namespaces.
struct IdMap {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

/// Where the container's cgroup lives, relative to each hierarchy root.
struct CgroupSpec {
  std::string rel_path;  ///< e.g. "berth/<id>"; empty = no cgroup
  cgroup::Resources resources;
};

/// json-file log settings.
struct LogSpec {
  std::string path;       ///< empty = no log
  int64_t max_size = 0;   ///< bytes; 0 = unlimited
  int max_file = 1;
};

struct ContainerSpec {
  std::string id;
  RootfsSpec rootfs;
  ProcessSpec process;
  std::string hostname;
  std::string domainname;
  std::vector<MountSpec> mounts;
  std::vector<NamespaceSpec> namespaces;  ///< "net" absent = host network
  std::vector<IdMap> uid_map, gid_map;    ///< used when a "user" namespace is created
  std::optional<std::string> hosts_file;      ///< contents of /etc/hosts
  std::optional<std::string> resolv_conf;     ///< contents of /etc/resolv.conf
  std::optional<std::string> hostname_file;   ///< contents of /etc/hostname
  CgroupSpec cgroup;
  std::map<std::string, std::string> sysctls;
  std::optional<std::vector<std::string>> masked_paths;    ///< unset = Docker's defaults
  std::optional<std::vector<std::string>> readonly_paths;  ///< unset = Docker's defaults
  bool privileged = false;  ///< no masked/readonly paths, all devices
  int64_t shm_size = 64 * 1024 * 1024;
  int stop_signal = 15;
  int stop_timeout = 10;
  LogSpec log;
};

/// A process to run in a running container (docker exec).
struct ExecSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;  ///< added to the container's env
  std::string cwd;               ///< empty = the container's
  std::string user;              ///< empty = the container's
  bool tty = false;
  bool privileged = false;
  /// With tty: the window size set before the process starts (Docker's ConsoleSize); 0 = unset.
  unsigned tty_rows = 0, tty_cols = 0;
  /// Names the exec so its exit code can be learnt after a berthd restart (exec_wait_key);
  /// "" = anonymous (health probes). Not part of the JSON form.
  std::string key;
};

void to_json(nlohmann::json& j, const CgroupSpec& c);
void from_json(const nlohmann::json& j, CgroupSpec& c);
void to_json(nlohmann::json& j, const ProcessSpec& p);
void from_json(const nlohmann::json& j, ProcessSpec& p);
void to_json(nlohmann::json& j, const ContainerSpec& s);
void from_json(const nlohmann::json& j, ContainerSpec& s);
void to_json(nlohmann::json& j, const ExecSpec& s);
void from_json(const nlohmann::json& j, ExecSpec& s);

/// Serialises a spec as JSON text.
std::string spec_to_string(const ContainerSpec& s);
/// Parses JSON text; errors name the bad field.
base::Result<ContainerSpec> spec_from_string(const std::string& text);
/// Checks what can be checked without touching the system (id, args, mount targets, ns types).
base::Status validate_spec(const ContainerSpec& s);
/// Docker's default masked paths (/proc/kcore, /proc/keys, ...).
const std::vector<std::string>& default_masked_paths();
/// Docker's default read-only paths (/proc/sys, /proc/sysrq-trigger, ...).
const std::vector<std::string>& default_readonly_paths();
/// RLIMIT_* constant for "nofile", "nproc", ...; -1 if unknown.
int rlimit_resource(const std::string& name);

}  // namespace engine::runtime
