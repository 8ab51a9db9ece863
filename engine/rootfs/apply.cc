#include "engine/rootfs/apply.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/sys/syscalls.h"

namespace engine::rootfs {

using base::Status;
using base::sys_error;
using Kind = MountOp::Kind;

namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

/// Creates TARGET as a directory or an empty file so it can be mounted over.
Status make_mountpoint(const std::string& target, bool is_dir) {
  if (is_dir) return base::make_dirs(target);
  BERTH_TRY(base::make_dirs(parent_of(target)));
  int fd = ::open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno != EEXIST && errno != EISDIR) return sys_error("create mountpoint " + target);
  if (fd >= 0) ::close(fd);
  return {};
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status remount_readonly(const std::string& target, unsigned long flags) {
  // A bind remount keeps the other per-mount flags only if they are repeated.
  return sys::mount("", target, "", MS_REMOUNT | MS_BIND | MS_RDONLY | flags, "");
}

Status apply_bind(const MountOp& op, const std::string& target) {
  BERTH_TRY(make_mountpoint(target, is_directory(op.source)));
  BERTH_TRY(sys::mount(op.source, target, "", MS_BIND | (op.recursive ? MS_REC : 0), ""));
  if (op.readonly || op.flags)
    BERTH_TRY(sys::mount("", target, "", MS_REMOUNT | MS_BIND | op.flags | (op.readonly ? MS_RDONLY : 0), ""));
  if (op.propagation) BERTH_TRY(sys::mount("", target, "", op.propagation, ""));
  return {};
}

}  // namespace

Status apply_op(const MountOp& op, const std::string& root) {
  std::string target = root + op.target;
  switch (op.kind) {
    case Kind::Mount: {
      BERTH_TRY(make_mountpoint(target, true));
      BERTH_TRY(sys::mount(op.source, target, op.fstype, op.flags | (op.readonly ? MS_RDONLY : 0), op.data));
      if (op.propagation) BERTH_TRY(sys::mount("", target, "", op.propagation, ""));
      return {};
    }
    case Kind::Bind:
      return apply_bind(op, target);
    case Kind::Device: {
      BERTH_TRY(base::make_dirs(parent_of(target)));
      if (::mknod(target.c_str(), op.mode, makedev(op.major, op.minor)) == 0) {
        ::chmod(target.c_str(), op.mode & 07777);
        return {};
      }
      if (errno == EEXIST) return {};
      if (errno != EPERM) return sys_error("mknod " + target);
      BERTH_TRY(make_mountpoint(target, false));
      return sys::mount(op.source, target, "", MS_BIND, "");
    }
    case Kind::Symlink:
      BERTH_TRY(base::make_dirs(parent_of(target)));
      if (::symlink(op.source.c_str(), target.c_str()) != 0 && errno != EEXIST)
        return sys_error("symlink " + target);
      return {};
    case Kind::Mask: {
      struct stat st;
      if (::stat(target.c_str(), &st) != 0) return {};  // nothing to hide
      if (S_ISDIR(st.st_mode)) return sys::mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0");
      return sys::mount("/dev/null", target, "", MS_BIND, "");
    }
    case Kind::Readonly: {
      struct stat st;
      if (::stat(target.c_str(), &st) != 0) return {};
      BERTH_TRY(sys::mount(target, target, "", MS_BIND | MS_REC, ""));
      return remount_readonly(target, MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }
  }
  return base::internal("unknown mount operation");
}

Status prepare_root(const MountPlan& plan) {
  // Keep every mount below private to this namespace: nothing propagates back to the host.
  BERTH_TRY(sys::mount("", "/", "", MS_SLAVE | MS_REC, ""));
  for (const std::string& d : plan.upper_dirs) BERTH_TRY(base::make_dirs(d, 0755));
  BERTH_TRY(base::make_dirs(plan.root_dir, 0755));
  if (plan.root.kind == Kind::Bind) {
    BERTH_TRY(sys::mount(plan.root.source, plan.root_dir, "", MS_BIND | MS_REC, ""));
  } else {
    BERTH_TRY(sys::mount(plan.root.source, plan.root_dir, plan.root.fstype, plan.root.flags, plan.root.data));
  }
  // pivot_root needs the new root's parent mount to be private.
  return sys::mount("", plan.root_dir, "", MS_PRIVATE, "");
}

Status apply_before_pivot(const MountPlan& plan) {
  for (const MountOp& op : plan.before_pivot) {
    Status st = apply_op(op, plan.root_dir);
    if (!st) return st.take_error().wrap("prepare " + op.target);
  }
  return {};
}

Status pivot(const MountPlan& plan) { return sys::pivot_root(plan.root_dir); }

Status apply_after_pivot(const MountPlan& plan) {
  for (const MountOp& op : plan.after_pivot) BERTH_TRY(apply_op(op, ""));
  if (plan.readonly_root) BERTH_TRY(remount_readonly("/", 0));
  return {};
}

}  // namespace engine::rootfs
