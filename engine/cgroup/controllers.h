#pragma once
/// Internal: one function set per controller, each taking the cgroup directory as a parameter
/// (youki style) so tests can point them at a fake tree. Only fields that are set are written.
#include <string>

#include "engine/base/error.h"
#include "engine/cgroup/cgroup.h"

namespace engine::cgroup {

// memory.cc
/// Writes memory.limit_in_bytes, memory.memsw.limit_in_bytes (ordered so updates never cross) and
/// memory.soft_limit_in_bytes. Without swap accounting, memory_swap is ignored unless it asks for swap.
engine::base::Status apply_memory_v1(const std::string& dir, const Resources& r);
/// Writes memory.max, memory.swap.max (swap part only) and memory.low.
engine::base::Status apply_memory_v2(const std::string& dir, const Resources& r);
/// Fills the memory fields of s from memory.usage_in_bytes, memory.limit_in_bytes, ... .
engine::base::Status read_memory_v1(const std::string& dir, Stats* s);
/// Fills the memory fields of s from memory.current, memory.max, memory.peak, memory.stat, memory.events.
engine::base::Status read_memory_v2(const std::string& dir, Stats* s);

// cpu.cc
/// Writes cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us.
engine::base::Status apply_cpu_v1(const std::string& dir, const Resources& r);
/// Writes cpu.weight (from shares) and cpu.max.
engine::base::Status apply_cpu_v2(const std::string& dir, const Resources& r);
/// runc's conversion of cgroup v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000]; 0 stays 0.
uint64_t shares_to_weight(int64_t shares);
/// Fills the cpu fields of s from cpuacct.usage, cpuacct.stat and cpuacct.usage_percpu.
engine::base::Status read_cpu_v1(const std::string& cpuacct_dir, Stats* s);
/// Fills the cpu fields of s from cpu.stat.
engine::base::Status read_cpu_v2(const std::string& dir, Stats* s);

// cpuset.cc
/// v1: gives each directory from hierarchy down to hierarchy/rel the parent's cpus and mems when
/// empty; the kernel refuses tasks in a cpuset with none.
engine::base::Status init_cpuset_v1(const std::string& hierarchy, const std::string& rel);
/// Writes cpuset.cpus and cpuset.mems (same files on v1 and v2).
engine::base::Status apply_cpuset(const std::string& dir, const Resources& r);

// pids.cc
/// Writes pids.max ("max" for -1); same file on v1 and v2.
engine::base::Status apply_pids(const std::string& dir, const Resources& r);
/// Fills pids_current and pids_limit.
engine::base::Status read_pids(const std::string& dir, Stats* s);

// devices.cc
/// A rule as the v1 devices files take it ("c 1:3 rwm", "a *:* rwm").
std::string device_rule_line(const DeviceRule& r);
/// Checks type, numbers and access letters; InvalidArgument naming the rule.
engine::base::Status validate_device_rule(const DeviceRule& r);
/// v1: writes each rule to devices.allow or devices.deny, in order.
engine::base::Status apply_devices_v1(const std::string& dir, const std::vector<DeviceRule>& rules);

// devices_bpf.cc
/// v2: the BPF_CGROUP_DEVICE program for rules, as raw instructions (8 bytes each).
std::vector<uint64_t> device_filter_program(const std::vector<DeviceRule>& rules);
/// v2: loads the program for rules and attaches it to dir, detaching the ones attached before.
engine::base::Status apply_devices_v2(const std::string& dir, const std::vector<DeviceRule>& rules);

// freezer.cc
/// v1: writes FROZEN to freezer.state and waits until it reads FROZEN.
engine::base::Status freeze_v1(const std::string& dir);
/// v1: writes THAWED to freezer.state.
engine::base::Status thaw_v1(const std::string& dir);
/// v1: true when freezer.state reads FROZEN.
engine::base::Result<bool> frozen_v1(const std::string& dir);
/// v2: writes 1 to cgroup.freeze and waits until cgroup.events reports "frozen 1".
engine::base::Status freeze_v2(const std::string& dir);
/// v2: writes 0 to cgroup.freeze and waits until cgroup.events reports "frozen 0".
engine::base::Status thaw_v2(const std::string& dir);
/// v2: true when cgroup.events reports "frozen 1".
engine::base::Result<bool> frozen_v2(const std::string& dir);

}  // namespace engine::cgroup
