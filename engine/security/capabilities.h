#pragma once
/// engine::security capabilities: name resolution (Docker's cap_add/cap_drop rules) before
/// fork, and a precomputed CapState applied in the container init without allocating.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::security {

/// Docker's default capability set (CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
/// CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE).
std::vector<std::string> default_capabilities();

/// Every capability both the kernel and libcap know, "CAP_" prefixed, in number order.
engine::base::Result<std::vector<std::string>> all_capabilities();

/// Canonical form of a capability name ("net_admin" -> "CAP_NET_ADMIN"; "all" -> "ALL");
/// InvalidArgument naming it when unknown.
engine::base::Result<std::string> normalize_capability(const std::string& name);

/// Applies cap_add/cap_drop ("NET_ADMIN" or "CAP_NET_ADMIN", case-insensitive, "ALL") or privileged (all caps
/// the kernel knows); unknown names -> InvalidArgument naming the cap. Sorted, "CAP_" prefixed.
engine::base::Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& add,
                                                                    const std::vector<std::string>& drop,
                                                                    bool privileged);

/// Precomputed capability state, built before fork, applied in the child without allocating.
/// Bit n stands for capability number n. last_cap is the kernel's highest capability number.
struct CapState {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0;
  int last_cap = 0;
};

/// Builds the state for caps: bounding = effective = permitted = caps; inheritable empty
/// (as Docker since CVE-2022-24769); ambient is cleared when applied.
engine::base::Result<CapState> make_cap_state(const std::vector<std::string>& caps);

/// Async-signal-safe core of apply_cap_state: returns 0 or an errno value.
int apply_cap_state_raw(const CapState& s) noexcept;

/// Drops the bounding set to caps, clears ambient and sets eff/perm/inh with capset(2). Call in the
/// container init last, after setresuid (set PR_SET_KEEPCAPS before it so permitted survives).
engine::base::Status apply_cap_state(const CapState& s);

/// Capability names in a 64-bit mask ("CAP_CHOWN", ...), sorted; for diagnostics and tests.
std::vector<std::string> cap_names(uint64_t mask);

}  // namespace engine::security
