// Interim implementation on libcap/libseccomp until engine/security lands; same contract.
#include "engine/process/security.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>

namespace engine::process {

const std::vector<std::string>& default_capability_names() {
  static const std::vector<std::string> caps{
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",           "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",     "CAP_SETFCAP",          "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  return caps;
}

base::Result<SecurityPlan> prepare_security(const runtime::ContainerSpec& spec) {
  SecurityPlan plan;
  plan.seccomp = spec.process.seccomp != "unconfined" && !spec.privileged;
  if (spec.privileged) {
    for (int c = 0; c <= CAP_LAST_CAP; ++c) plan.keep_caps.push_back(c);
    return plan;
  }
  for (const std::string& name : spec.process.capabilities.value_or(default_capability_names())) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (lower.rfind("cap_", 0) != 0) lower = "cap_" + lower;
    cap_value_t v;
    if (cap_from_name(lower.c_str(), &v) != 0) return base::invalid("unknown capability \"" + name + "\"");
    plan.keep_caps.push_back(v);
  }
  return plan;
}

base::Status drop_bounding_set(const SecurityPlan& plan) {
  for (int c = 0; c <= CAP_LAST_CAP; ++c) {
    if (std::find(plan.keep_caps.begin(), plan.keep_caps.end(), c) != plan.keep_caps.end()) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
      return base::sys_error("drop capability " + std::to_string(c) + " from the bounding set");
  }
  return {};
}

base::Status apply_capabilities(const SecurityPlan& plan) {
  cap_t caps = cap_init();
  if (!caps) return base::sys_error("cap_init");
  std::vector<cap_value_t> vals(plan.keep_caps.begin(), plan.keep_caps.end());
  if (!vals.empty()) {
    cap_set_flag(caps, CAP_EFFECTIVE, static_cast<int>(vals.size()), vals.data(), CAP_SET);
    cap_set_flag(caps, CAP_PERMITTED, static_cast<int>(vals.size()), vals.data(), CAP_SET);
    cap_set_flag(caps, CAP_INHERITABLE, static_cast<int>(vals.size()), vals.data(), CAP_SET);
  }
  int r = cap_set_proc(caps);
  int err = errno;
  cap_free(caps);
  if (r != 0) return base::sys_error("set capabilities", err);
  return {};
}

base::Status apply_seccomp(const SecurityPlan& plan) {
  if (!plan.seccomp) return {};
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return base::internal("seccomp_init failed");
  static const int denied[] = {SCMP_SYS(unshare), SCMP_SYS(setns),  SCMP_SYS(mount),     SCMP_SYS(umount2),
                               SCMP_SYS(pivot_root), SCMP_SYS(kexec_load), SCMP_SYS(init_module),
                               SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(reboot),
                               SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(keyctl), SCMP_SYS(add_key),
                               SCMP_SYS(request_key), SCMP_SYS(open_by_handle_at), SCMP_SYS(bpf),
                               SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd)};
  int rc = 0;
  for (int sc : denied) rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), sc, 0);
  // clone with a namespace flag is refused too; clone3 (flags in memory) reports ENOSYS so libc falls back.
  for (scmp_datum_t flag : {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
                            CLONE_NEWCGROUP})
    if (!rc) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
  if (!rc) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (!rc) rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc) return base::sys_error("load seccomp filter", -rc);
  return {};
}

}  // namespace engine::process
