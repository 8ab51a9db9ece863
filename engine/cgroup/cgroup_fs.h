#pragma once
/// Internal: reading and writing cgroup interface files. Every error names the verb and the
/// full path ("write /sys/fs/cgroup/pids/berth/abc/pids.max: Invalid argument").
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::cgroup {

/// Writes value to dir/file in one write(2) (no O_CREAT: the kernel provides the files).
engine::base::Status write_value(const std::string& dir, const std::string& file, const std::string& value);
/// Reads dir/file with surrounding whitespace trimmed.
engine::base::Result<std::string> read_value(const std::string& dir, const std::string& file);
/// Reads an unsigned number; "max" reads as 0 (unlimited).
engine::base::Result<uint64_t> read_u64(const std::string& dir, const std::string& file);
/// Reads a "key value" per line file (memory.stat, cpu.stat, memory.events, memory.oom_control).
engine::base::Result<std::map<std::string, uint64_t>> read_keyed(const std::string& dir, const std::string& file);
/// True when dir/file exists.
bool has_file(const std::string& dir, const std::string& file);
/// Pids listed in dir/cgroup.procs, sorted.
engine::base::Result<std::vector<pid_t>> read_procs(const std::string& dir);
/// Parses a cpu/mem list ("0-3,5"); InvalidArgument naming what (e.g. "cpuset cpus") on bad syntax.
engine::base::Result<std::set<int>> parse_id_list(const std::string& list, const std::string& what);
/// Removes a cgroup directory, retrying while the kernel still reports it busy; absent is success.
engine::base::Status remove_cgroup_dir(const std::string& dir);

}  // namespace engine::cgroup
