#pragma once
/// The container's filesystem as data: build_plan() turns a ContainerSpec into an ordered
/// list of mount operations (root overlay, /proc, /sys, /dev, binds, tmpfs, /etc files,
/// masked and read-only paths), and apply.h executes them. Targets are container paths.
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/runtime/spec.h"

namespace engine::rootfs {

/// One step of the plan.
struct MountOp {
  enum class Kind {
    Mount,     ///< mount(source, target, fstype, flags, data), then remount read-only if readonly
    Bind,      ///< bind (recursive unless !recursive) a host path; file or dir target created to match
    Device,    ///< mknod a character device (falls back to binding the host's node)
    Symlink,   ///< symlink(source, target)
    Mask,      ///< hide a path: /dev/null over a file, an empty read-only tmpfs over a dir
    Readonly,  ///< bind the path onto itself read-only
  };
  Kind kind = Kind::Mount;
  std::string source;
  std::string target;
  std::string fstype;
  unsigned long flags = 0;
  std::string data;
  bool readonly = false;
  bool recursive = true;
  unsigned long propagation = 0;  ///< MS_PRIVATE/MS_SLAVE/MS_SHARED (with MS_REC) or 0
  mode_t mode = 0;                ///< Device: file mode
  unsigned major = 0, minor = 0;  ///< Device numbers
};

/// Everything the container init applies, in order.
struct MountPlan {
  std::string root_dir;            ///< where the root is assembled (<bundle>/rootfs)
  MountOp root;                    ///< overlay or bind of the plain rootfs onto root_dir
  std::vector<std::string> upper_dirs;  ///< dirs to create before mounting root (overlay upper/work)
  std::vector<MountOp> before_pivot;    ///< targets relative to root_dir
  std::vector<MountOp> after_pivot;     ///< masked/read-only paths, run inside the new root
  bool readonly_root = false;
};

/// Inputs beyond the spec.
struct PlanOptions {
  std::string bundle_dir;
  bool new_net_ns = true;   ///< sysfs can be mounted fresh only in an owned net namespace
  bool user_ns = false;     ///< devices are bound instead of mknod'ed
  std::string console;      ///< host path of the pty slave to bind on /dev/console ("" = none)
};

/// Builds the plan; fails on a missing rootfs or layer dir, before anything is mounted.
base::Result<MountPlan> build_plan(const runtime::ContainerSpec& spec, const PlanOptions& opts);
/// mount(2) flags and propagation for option words ("ro", "nosuid", "rprivate", ...); others go to data.
void parse_mount_options(const std::vector<std::string>& options, unsigned long* flags, unsigned long* propagation,
                         std::string* data, bool* readonly, bool* recursive);

}  // namespace engine::rootfs
