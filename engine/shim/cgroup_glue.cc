#include "engine/shim/cgroup_glue.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/sys/syscalls.h"

namespace engine::shim {

base::Result<ContainerCgroup> ContainerCgroup::create(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  if (spec.rel_path.empty()) return cg;
  auto m = cgroup::Manager::create(spec.rel_path, spec.resources);
  if (!m) return m.take_error().wrap("create cgroup " + spec.rel_path);
  cg.mgr_ = std::move(*m);
  auto join = cg.mgr_->join_handles();
  if (!join) {
    cg.destroy();
    return join.take_error().wrap("create cgroup " + spec.rel_path);
  }
  cg.join_ = std::make_shared<cgroup::JoinHandles>(std::move(*join));
  return cg;
}

base::Result<ContainerCgroup> ContainerCgroup::open(const runtime::CgroupSpec& spec) {
  ContainerCgroup cg;
  if (spec.rel_path.empty()) return cg;
  auto m = cgroup::Manager::open(spec.rel_path);
  if (!m) return m.take_error().wrap("open cgroup " + spec.rel_path);
  cg.mgr_ = std::move(*m);
  auto join = cg.mgr_->join_handles();
  if (!join) return join.take_error().wrap("open cgroup " + spec.rel_path);
  cg.join_ = std::make_shared<cgroup::JoinHandles>(std::move(*join));
  return cg;
}

base::Status ContainerCgroup::add(pid_t pid) {
  if (!mgr_) return {};
  return mgr_->add_process(pid);
}

base::Result<pid_t> ContainerCgroup::clone_child(unsigned long flags, bool* shim_joins) {
  *shim_joins = false;
  // No cgroup, or pure v1: a plain clone; the child joins the v1 hierarchies itself.
  if (!join_ || !join_->v2_dir) return sys::clone_process(flags);
  clone_args args{};
  args.flags = flags | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(join_->v2_dir.get());
  long r = ::syscall(SYS_clone3, &args, sizeof args);
  if (r >= 0) return static_cast<pid_t>(r);
  // Kernels before 5.7 have no CLONE_INTO_CGROUP (EINVAL) or no clone3 (ENOSYS).
  if (errno != ENOSYS && errno != EINVAL && errno != E2BIG) return base::sys_error("clone3 into cgroup");
  *shim_joins = true;
  return sys::clone_process(flags);
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
  join_.reset();  // our open fds would not keep the directories busy, but close them first anyway
  if (mgr_) (void)mgr_->destroy();
  mgr_.reset();
}

}  // namespace engine::shim
