// Interim: no cgroup until engine/cgroup lands (then this wraps engine::cgroup::Manager).
#include "engine/shim/cgroup_glue.h"

namespace engine::shim {

base::Result<ContainerCgroup> ContainerCgroup::create(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  cg.rel_path_ = spec.rel_path;
  return cg;
}

ContainerCgroup ContainerCgroup::open(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  cg.rel_path_ = spec.rel_path;
  return cg;
}

base::Status ContainerCgroup::add(pid_t) { return {}; }
std::string ContainerCgroup::oom_file() const { return {}; }
void ContainerCgroup::destroy() {}

}  // namespace engine::shim
