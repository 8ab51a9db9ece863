#pragma once
/// Applies a MountPlan inside the container's fresh mount namespace, in four steps the
/// container init calls in order: prepare_root, apply_before_pivot, pivot, apply_after_pivot
/// (sysctls go between pivot and apply_after_pivot, before /proc/sys turns read-only).
/// Nothing here propagates to the host: prepare_root makes "/" a recursive slave first.
#include "engine/base/error.h"
#include "engine/rootfs/plan.h"

namespace engine::rootfs {

/// Makes "/" rslave, creates the overlay upper/work dirs and mounts the root on plan.root_dir.
base::Status prepare_root(const MountPlan& plan);
/// Mounts /proc, /sys, /dev, /etc files and the user's mounts under plan.root_dir.
base::Status apply_before_pivot(const MountPlan& plan);
/// pivot_root into plan.root_dir and detach the old root.
base::Status pivot(const MountPlan& plan);
/// Masks and read-only paths, then the read-only root; run inside the new root.
base::Status apply_after_pivot(const MountPlan& plan);
/// Applies one operation with TARGET resolved under ROOT ("" after pivot).
base::Status apply_op(const MountOp& op, const std::string& root);

}  // namespace engine::rootfs
