#include "engine/rootfs/apply.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/rootfs/secure_path.h"
#include "engine/sys/syscalls.h"

namespace engine::rootfs {

using base::Status;
using base::sys_error;
using Kind = MountOp::Kind;

namespace {

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status remount_readonly(const std::string& target, unsigned long flags) {
  // A bind remount keeps the other per-mount flags only if they are repeated.
  return sys::mount("", target, "", MS_REMOUNT | MS_BIND | MS_RDONLY | flags, "");
}

/// Mounts under the container root, resolving every target inside it (see secure_path.h).
Status apply_in_root(const MountOp& op, const std::string& root) {
  const std::string full = root + op.target;
  auto reopen = [&]() { return open_in_root(root, op.target, Create::None); };
  switch (op.kind) {
    case Kind::Mount: {
      auto fd = open_in_root(root, op.target, Create::Dir);
      if (!fd) return fd.take_error();
      Status st = sys::mount(op.source, fd_path(fd->get()), op.fstype, op.flags | (op.readonly ? MS_RDONLY : 0), op.data);
      if (!st) return base::sys_error("mount " + op.fstype + " on " + full, st.error().sys_errno);
      if (op.propagation) {
        auto top = reopen();
        if (!top) return top.take_error();
        BERTH_TRY(sys::mount("", fd_path(top->get()), "", op.propagation, ""));
      }
      return {};
    }
    case Kind::Bind: {
      auto fd = open_in_root(root, op.target, is_directory(op.source) ? Create::Dir : Create::File);
      if (!fd) return fd.take_error();
      Status st = sys::mount(op.source, fd_path(fd->get()), "", MS_BIND | (op.recursive ? MS_REC : 0), "");
      if (!st) return base::sys_error("bind " + op.source + " on " + full, st.error().sys_errno);
      if (op.readonly || op.flags || op.propagation) {
        auto top = reopen();
        if (!top) return top.take_error();
        if (op.readonly || op.flags)
          BERTH_TRY(sys::mount("", fd_path(top->get()), "",
                               MS_REMOUNT | MS_BIND | op.flags | (op.readonly ? MS_RDONLY : 0), ""));
        if (op.propagation) BERTH_TRY(sys::mount("", fd_path(top->get()), "", op.propagation, ""));
      }
      return {};
    }
    case Kind::Device: {
      std::string name;
      auto parent = open_parent_in_root(root, op.target, &name);
      if (!parent) return parent.take_error();
      if (::mknodat(parent->get(), name.c_str(), op.mode, makedev(op.major, op.minor)) == 0 || errno == EEXIST)
        return {};
      if (errno != EPERM) return sys_error("mknod " + full);
      // No mknod (user namespace): bind the host's node instead.
      auto fd = open_in_root(root, op.target, Create::File);
      if (!fd) return fd.take_error();
      return sys::mount(op.source, fd_path(fd->get()), "", MS_BIND, "");
    }
    case Kind::Symlink: {
      std::string name;
      auto parent = open_parent_in_root(root, op.target, &name);
      if (!parent) return parent.take_error();
      if (::symlinkat(op.source.c_str(), parent->get(), name.c_str()) != 0 && errno != EEXIST)
        return sys_error("symlink " + full);
      return {};
    }
    case Kind::Mask:
    case Kind::Readonly:
      break;
  }
  return base::internal("mount operation not allowed before pivot_root: " + op.target);
}

}  // namespace

Status apply_op(const MountOp& op, const std::string& root) {
  if (!root.empty()) return apply_in_root(op, root);
  // Inside the new root (after pivot_root): "/" is the container's, nothing to escape to.
  const std::string& target = op.target;
  switch (op.kind) {
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
    default:
      return apply_in_root(op, "/");
  }
}

Status prepare_root(const MountPlan& plan) {
  // Keep every mount below private to this namespace: nothing propagates back to the host.
  BERTH_TRY(sys::mount("", "/", "", MS_SLAVE | MS_REC, ""));
  // upper/work and root_dir exist already (made by the shim as host root).
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
