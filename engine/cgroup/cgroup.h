#pragma once
/// engine::cgroup: one container's control group across every hierarchy.
///
/// Vocabulary: a *hierarchy* is one mounted cgroup tree (v1 has one per controller:
/// /sys/fs/cgroup/memory, /sys/fs/cgroup/pids, ...; v2 has a single unified tree). A
/// container's cgroup is the directory `<hierarchy>/<rel_path>` in each of them.
/// Layouts: V1 (controllers each mounted), V2 (/sys/fs/cgroup is cgroup2), Hybrid (V1 plus a
/// controller-less cgroup2 at /sys/fs/cgroup/unified, which we join too, as runc does).
/// Lifecycle: Manager::create (validates limits, makes the directories, writes the limits;
/// all-or-nothing) -> add_process -> update / freeze / thaw / stats -> destroy. Every
/// function takes the cgroup root as a parameter so tests can point it at a fake tree.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::cgroup {

/// Layout of the host's cgroup filesystems.
enum class Mode { V1, V2, Hybrid };

/// Name of a mode ("v1", "v2", "hybrid").
const char* mode_name(Mode m);

/// Detects the host layout under root (default /sys/fs/cgroup).
engine::base::Result<Mode> detect_mode(const std::string& root = "/sys/fs/cgroup");

/// One device cgroup rule (OCI LinuxDeviceCgroup): type 'a' (all), 'c' or 'b'; -1 = any number;
/// access is a subset of "rwm". Rules apply in order, a later one overriding an earlier one.
struct DeviceRule {
  bool allow = false;
  char type = 'a';
  int64_t major = -1, minor = -1;
  std::string access = "rwm";
};

/// Docker's default device rules: deny everything, then allow mknod of any node and rwm on
/// null, zero, full, random, urandom, tty, console, ptmx, /dev/pts/* and tun.
std::vector<DeviceRule> default_device_rules();

/// Resource limits with Docker's HostConfig meaning.
struct Resources {
  int64_t memory_limit = 0;        ///< bytes, 0 = unlimited
  int64_t memory_swap = 0;         ///< memory+swap bytes (Docker semantics); 0 = unset, -1 = unlimited
  int64_t memory_reservation = 0;  ///< bytes, 0 = unset
  int64_t cpu_quota_us = 0;        ///< 0 = unset, -1 = unlimited
  int64_t cpu_period_us = 0;       ///< 0 = default (100000)
  int64_t cpu_shares = 0;          ///< 0 = unset; v2: converted to cpu.weight as runc does
  std::string cpuset_cpus, cpuset_mems;
  int64_t pids_limit = 0;          ///< 0 = unset, -1 = unlimited
  /// Device access rules; empty = leave as is. v1: devices.deny/allow; v2: an eBPF program
  /// (BPF_CGROUP_DEVICE) replacing the one attached before; unmatched accesses are denied there.
  std::vector<DeviceRule> devices;
};

/// Usage counters in the shapes `docker stats` needs. Missing controllers read as 0.
struct Stats {
  uint64_t cpu_total_ns = 0, cpu_user_ns = 0, cpu_system_ns = 0;
  std::vector<uint64_t> cpu_percpu_ns;  ///< v1 cpuacct.usage_percpu; empty on v2
  uint64_t memory_usage = 0, memory_limit = 0, memory_max_usage = 0, memory_cache = 0;  ///< limit 0 = unlimited
  /// memory.stat as the kernel wrote it (Docker's memory_stats.stats; the CLI subtracts
  /// total_inactive_file (v1) or inactive_file (v2) from usage).
  std::map<std::string, uint64_t> memory_stat;
  uint64_t pids_current = 0, pids_limit = 0;  ///< pids_limit 0 = unlimited
  uint64_t oom_kills = 0;
};

/// Checks limits before anything is created: an impossible value gives InvalidArgument
/// naming it. available_cpus is the host's cpu list ("0-3"), empty to skip that check.
engine::base::Status validate(const Resources& r, const std::string& available_cpus = {});

/// How a new process enters a cgroup without waiting for the kernel: a cgroup.procs write by
/// another process takes the global threadgroup lock, which waits for an RCU grace period
/// (5-50 ms). Instead clone3(CLONE_INTO_CGROUP, v2_dir) starts the child in the cgroup2 leaf,
/// and the (single-threaded) child writes "0" to each v1 `tasks` file: moving only its own
/// thread takes no global lock.
struct JoinHandles {
  engine::base::UniqueFd v2_dir;                ///< cgroup2 leaf directory (v2, or hybrid's unified); -1 = none
  std::vector<engine::base::UniqueFd> v1_tasks;  ///< each v1 leaf's `tasks`, opened for writing
};

/// In the child, before it runs anything else: moves the calling thread into every v1 leaf of
/// h, then closes the child's copies of h's descriptors (none may reach the container).
/// Allocates nothing on success (safe between clone and exec).
engine::base::Status join_self(const JoinHandles& h);

/// One container's cgroup across all hierarchies. rel_path like "berth/<container-id>".
class Manager {
 public:
  virtual ~Manager() = default;
  /// Creates the cgroup (all-or-nothing) and applies r. An existing directory is reused.
  static engine::base::Result<std::unique_ptr<Manager>> create(const std::string& rel_path, const Resources& r,
                                                               const std::string& root = "/sys/fs/cgroup");
  /// Opens an existing cgroup (NotFound if it is absent); destroy() then removes only the leaf.
  static engine::base::Result<std::unique_ptr<Manager>> open(const std::string& rel_path,
                                                             const std::string& root = "/sys/fs/cgroup");
  /// Moves pid into this cgroup in every hierarchy.
  virtual engine::base::Status add_process(pid_t pid) = 0;
  /// Opens what a child needs to be born into this cgroup (see JoinHandles).
  virtual engine::base::Result<JoinHandles> join_handles() = 0;
  /// Rewrites the limits (validated first).
  virtual engine::base::Status update(const Resources& r) = 0;
  /// Freezes every task and waits until the kernel reports FROZEN.
  virtual engine::base::Status freeze() = 0;
  /// Thaws the cgroup.
  virtual engine::base::Status thaw() = 0;
  /// Reads usage counters.
  virtual engine::base::Result<Stats> stats() = 0;
  /// True when an OOM kill happened in this cgroup.
  virtual engine::base::Result<bool> oom_killed() = 0;
  /// Processes in the cgroup, sorted.
  virtual engine::base::Result<std::vector<pid_t>> pids() = 0;
  /// Sends sig to every process (frozen while signalling, so none escapes by forking).
  virtual engine::base::Status kill_all(int sig) = 0;
  /// Kills leftovers and removes every directory it created.
  virtual engine::base::Status destroy() = 0;
  /// Layout this manager drives.
  virtual Mode mode() const = 0;
  /// Paths of this cgroup per hierarchy (for cgroup namespaces / diagnostics).
  virtual std::vector<std::string> paths() const = 0;
};

}  // namespace engine::cgroup
