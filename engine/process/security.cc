#include "engine/process/security.h"

#include <grp.h>
#include <string.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "engine/base/fs.h"
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace engine::process {

namespace {

/// FNV-1a of the capability set and this build: a cache entry never outlives the profile it came from.
std::string seccomp_cache_key(const std::vector<std::string>& caps) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= '|';
    h *= 1099511628211ull;
  };
  mix(__DATE__ " " __TIME__);
  for (const std::string& c : caps) mix(c);
  char buf[32];
  std::snprintf(buf, sizeof buf, "seccomp-%016llx.bpf", static_cast<unsigned long long>(h));
  return buf;
}

base::Result<security::SeccompProgram> cached_seccomp(const std::vector<std::string>& caps,
                                                      const std::string& cache_dir) {
  std::string path = cache_dir.empty() ? std::string() : cache_dir + "/" + seccomp_cache_key(caps);
  if (!path.empty()) {
    auto bytes = base::read_file(path);
    if (bytes && !bytes->empty() && bytes->size() % sizeof(sock_filter) == 0) {
      security::SeccompProgram prog;
      prog.filter.resize(bytes->size() / sizeof(sock_filter));
      std::memcpy(prog.filter.data(), bytes->data(), bytes->size());
      return prog;
    }
  }
  auto prog = security::build_default_seccomp(caps);
  if (!prog) return prog;
  if (!path.empty() && base::make_dirs(cache_dir, 0700)) {
    std::string_view data(reinterpret_cast<const char*>(prog->filter.data()), prog->filter.size() * sizeof(sock_filter));
    (void)base::write_file_atomic(path, data, 0600);
  }
  return prog;
}

}  // namespace

base::Result<SecurityPlan> prepare_security(const runtime::ContainerSpec& spec, const std::string& cache_dir) {
  SecurityPlan plan;
  if (spec.privileged) {
    auto all = security::all_capabilities();
    if (!all) return all.take_error();
    // Everything this host lets us hold: a capability outside our own bounding set cannot be granted.
    for (const std::string& c : *all) {
      auto st = security::make_cap_state({c});
      if (!st) continue;
      int bit = __builtin_ctzll(st->effective);
      if (::prctl(PR_CAPBSET_READ, bit, 0, 0, 0) == 1) plan.caps.push_back(c);
    }
  } else if (spec.process.capabilities) {
    for (const std::string& c : *spec.process.capabilities) {
      auto n = security::normalize_capability(c);
      if (!n) return n.take_error();
      plan.caps.push_back(*n);
    }
  } else {
    plan.caps = security::default_capabilities();
  }
  auto state = security::make_cap_state(plan.caps);
  if (!state) return state.take_error();
  plan.cap_state = *state;
  plan.seccomp = spec.process.seccomp != "unconfined" && !spec.privileged;
  if (plan.seccomp) {
    auto prog = cached_seccomp(plan.caps, cache_dir);
    if (!prog) return prog.take_error();
    plan.program = std::move(*prog);
  }
  plan.no_new_privileges = spec.process.no_new_privileges;
  for (const runtime::Rlimit& r : spec.process.rlimits) {
    security::Rlimit l;
    l.resource = runtime::rlimit_resource(r.type);
    if (l.resource < 0) return base::invalid("unknown rlimit \"" + r.type + "\"");
    l.soft = r.soft;
    l.hard = r.hard;
    l.name = r.type;
    plan.rlimits.push_back(l);
  }
  return plan;
}

base::Status apply_rlimits(const SecurityPlan& plan) { return security::apply_rlimits(plan.rlimits); }

namespace {

base::Status install(const SecurityPlan& plan) {
  if (!plan.seccomp) return {};
  int err = security::install_seccomp(plan.program);
  if (err != 0) return base::sys_error("install seccomp filter", err);
  return {};
}

/// After setresuid with keepcaps the effective set is empty: raise it to the permitted set so
/// the bounding set can still be dropped (CAP_SETPCAP) by apply_cap_state.
base::Status raise_effective() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &hdr, data) != 0) return base::sys_error("capget");
  data[0].effective = data[0].permitted;
  data[1].effective = data[1].permitted;
  if (::syscall(SYS_capset, &hdr, data) != 0) return base::sys_error("capset");
  return {};
}

}  // namespace

base::Status drop_privileges(const SecurityPlan& plan, const ExecUser& user, bool in_user_ns) {
  if (!plan.no_new_privileges) BERTH_TRY(install(plan));
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return base::sys_error("prctl keepcaps");
  if (::setgroups(user.additional_gids.size(), user.additional_gids.data()) != 0 && !(errno == EPERM && in_user_ns))
    return base::sys_error("setgroups");
  if (::setresgid(user.gid, user.gid, user.gid) != 0) return base::sys_error("setgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0) return base::sys_error("setuid " + std::to_string(user.uid));
  if (user.uid != 0) BERTH_TRY(raise_effective());
  BERTH_TRY(security::apply_cap_state(plan.cap_state));
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return base::sys_error("prctl no_new_privs");
  return {};
}

base::Status finish_privileges(const SecurityPlan& plan) {
  if (plan.no_new_privileges) return install(plan);
  return {};
}

}  // namespace engine::process
