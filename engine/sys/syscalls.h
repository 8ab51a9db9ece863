#pragma once
/// Thin wrappers over the Linux system calls the runtime needs (clone, pidfd, setns,
/// mount, pivot_root). Each returns a Status/Result carrying errno; none allocates on
/// the success path except for error messages, so they are safe between clone and exec.
#include <sys/types.h>

#include <string>
#include <string_view>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::sys {

/// clone(2) with CLONE_* flags and SIGCHLD, fork-like: returns 0 in the child, the child pid in the parent.
/// Only for single-threaded callers (berth-shim), never in berthd.
base::Result<pid_t> clone_process(unsigned long flags);
/// pidfd_open(2) for a child or any process we may signal.
base::Result<base::UniqueFd> pidfd_open(pid_t pid);
/// pidfd_send_signal(2).
base::Status pidfd_send_signal(int pidfd, int sig);
/// setns(2) into the namespace file at PATH (e.g. /proc/123/ns/net); nstype 0 accepts any.
base::Status setns_path(const std::string& path, int nstype);
/// mount(2); a null-like empty fstype/data is passed as nullptr.
base::Status mount(const std::string& source, const std::string& target, const std::string& fstype,
                   unsigned long flags, const std::string& data);
/// umount2(2).
base::Status umount(const std::string& target, int flags);
/// pivot_root(2) into NEW_ROOT, stacking the old root on top ("pivot_root(".", ".")" trick), then detaching it.
base::Status pivot_root(const std::string& new_root);
/// CLONE_NEW* flag for a namespace name: pid, mount (or mnt), uts, ipc, net (or network), cgroup, user.
base::Result<int> namespace_flag(std::string_view type);
/// File name under /proc/PID/ns/ for a namespace name ("mount" -> "mnt", "network" -> "net").
base::Result<std::string> namespace_file(std::string_view type);

}  // namespace engine::sys
