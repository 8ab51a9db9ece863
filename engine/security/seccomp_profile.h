#pragma once
/// Internal: Docker's default seccomp profile as data. A rule allows its syscalls when the
/// container holds cap (or always when cap is empty); special argument rules are in seccomp.cc.
#include <set>
#include <span>
#include <string>
#include <utility>
#include <string_view>

namespace engine::security {

/// A group of syscalls allowed outright, or only with one capability.
struct SyscallGroup {
  std::string_view cap;  ///< "" = always
  std::span<const std::string_view> names;
};

/// Every unconditional and capability-conditional allow group, for this build's architecture.
std::span<const SyscallGroup> default_profile_groups();

/// Names the profile allows outright for caps on a kernel major.minor (ptrace and
/// process_vm_* need 4.8+ unless CAP_SYS_PTRACE: older kernels let ptrace bypass seccomp).
std::set<std::string> allowed_syscalls(const std::set<std::string>& caps, int kernel_major, int kernel_minor);

/// The running kernel's major.minor from uname(2); {0, 0} if unreadable.
std::pair<int, int> running_kernel();

}  // namespace engine::security
