#pragma once
/// engine::security seccomp: Docker's default profile written as a C++ table, compiled with
/// libseccomp to a classic BPF program before fork and installed in the child without allocating.
#include <linux/filter.h>

#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::security {

/// A compiled seccomp filter, ready for seccomp(SECCOMP_SET_MODE_FILTER).
struct SeccompProgram {
  std::vector<sock_filter> filter;
};

/// Docker's default seccomp profile built with libseccomp (default allow-list of syscalls; blocks keyctl,
/// add_key, request_key, mount/umount2 unless CAP_SYS_ADMIN, unshare/setns/clone of new namespaces unless
/// CAP_SYS_ADMIN, kexec_*, bpf, perf_event_open, reboot, swapon/off, init_module, ...; blocked calls return
/// EPERM; clone3 returns ENOSYS unless CAP_SYS_ADMIN so libc falls back to clone). caps are the container's
/// resolved capabilities ("CAP_" prefixed).
engine::base::Result<SeccompProgram> build_default_seccomp(const std::vector<std::string>& caps);

/// Names of the syscalls the default profile allows for caps, sorted (diagnostics and tests).
std::vector<std::string> default_seccomp_allowed(const std::vector<std::string>& caps);

/// Installs p with seccomp(2) (prctl(PR_SET_SECCOMP) as fallback). Returns 0 or an errno value;
/// async-signal-safe. Needs CAP_SYS_ADMIN in the effective set or no_new_privs, so without
/// no_new_privs install it before setresuid and apply_cap_state (runc's order).
int install_seccomp(const SeccompProgram& p) noexcept;

}  // namespace engine::security
