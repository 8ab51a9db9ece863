#pragma once
/// Internal: Docker's default seccomp profile as data. A rule allows its syscalls when the
/// container holds cap (or always when cap is empty); special argument rules are in seccomp.cc.
#include <span>
#include <string_view>

namespace engine::security {

/// A group of syscalls allowed outright, or only with one capability.
struct SyscallGroup {
  std::string_view cap;  ///< "" = always
  std::span<const std::string_view> names;
};

/// Every unconditional and capability-conditional allow group, for this build's architecture.
std::span<const SyscallGroup> default_profile_groups();

}  // namespace engine::security
