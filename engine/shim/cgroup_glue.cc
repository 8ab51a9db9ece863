#include "engine/shim/cgroup_glue.h"

#include "engine/base/fs.h"

namespace engine::shim {

base::Result<ContainerCgroup> ContainerCgroup::create(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  if (spec.rel_path.empty()) return cg;
  auto m = cgroup::Manager::create(spec.rel_path, spec.resources);
  if (!m) return m.take_error().wrap("create cgroup " + spec.rel_path);
  cg.mgr_ = std::move(*m);
  return cg;
}

base::Result<ContainerCgroup> ContainerCgroup::open(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  if (spec.rel_path.empty()) return cg;
  auto m = cgroup::Manager::open(spec.rel_path);
  if (!m) return m.take_error().wrap("open cgroup " + spec.rel_path);
  cg.mgr_ = std::move(*m);
  return cg;
}

base::Status ContainerCgroup::add(pid_t pid) {
  if (!mgr_) return {};
  return mgr_->add_process(pid);
}

std::string ContainerCgroup::oom_file() const {
  if (!mgr_) return {};
  for (const std::string& p : mgr_->paths()) {
    if (mgr_->mode() != cgroup::Mode::V2 && p.find("/memory/") != std::string::npos) return p + "/memory.oom_control";
    if (mgr_->mode() == cgroup::Mode::V2 && base::path_exists(p + "/memory.events")) return p + "/memory.events";
  }
  return {};
}

void ContainerCgroup::destroy() {
  if (mgr_) (void)mgr_->destroy();
  mgr_.reset();
}

}  // namespace engine::shim
