#include <string>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;

Status apply_pids(const std::string& dir, const Resources& r) {
  if (r.pids_limit == 0) return {};
  return write_value(dir, "pids.max", r.pids_limit < 0 ? "max" : std::to_string(r.pids_limit));
}

Status read_pids(const std::string& dir, Stats* s) {
  auto cur = read_u64(dir, "pids.current");
  if (!cur) return cur.take_error();
  s->pids_current = *cur;
  if (auto max = read_u64(dir, "pids.max")) s->pids_limit = *max;
  return {};
}

}  // namespace engine::cgroup
