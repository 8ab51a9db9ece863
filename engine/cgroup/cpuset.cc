#include <string>

#include "engine/base/strings.h"
#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;

/// Copies file from parent into dir when dir's copy is empty.
static Status inherit(const std::string& parent, const std::string& dir, const std::string& file) {
  auto cur = read_value(dir, file);
  if (!cur) return cur.take_error();
  if (!cur->empty()) return {};
  auto from = read_value(parent, file);
  if (!from) return from.take_error();
  return write_value(dir, file, *from);
}

Status init_cpuset_v1(const std::string& hierarchy, const std::string& rel) {
  std::string parent = hierarchy;
  for (const std::string& part : engine::base::split(rel, '/')) {
    if (part.empty()) continue;
    std::string dir = parent + "/" + part;
    BERTH_TRY(inherit(parent, dir, "cpuset.cpus"));
    BERTH_TRY(inherit(parent, dir, "cpuset.mems"));
    parent = dir;
  }
  return {};
}

Status apply_cpuset(const std::string& dir, const Resources& r) {
  if (!r.cpuset_cpus.empty()) BERTH_TRY(write_value(dir, "cpuset.cpus", r.cpuset_cpus));
  if (!r.cpuset_mems.empty()) BERTH_TRY(write_value(dir, "cpuset.mems", r.cpuset_mems));
  return {};
}

}  // namespace engine::cgroup
