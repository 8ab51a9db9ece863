// Capabilities, seccomp and rlimits applied in a forked child on the real kernel (root).
#include <doctest/doctest.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sstream>

#include "engine/security/capabilities.h"
#include "engine/security/rlimits.h"
#include "engine/security/seccomp.h"
#include "tests/integration/cgroup/cgroup_fixture.h"

namespace {

/// The value of "Key:" in /proc/self/status.
std::string status_field(const std::string& key) {
  std::istringstream in(itest::slurp("/proc/self/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      size_t v = line.find_first_not_of(" \t", key.size() + 1);
      return line.substr(v);
    }
  return {};
}

std::string errno_name(long rc) {
  if (rc >= 0) return "ok";
  return errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : "errno " + std::to_string(errno);
}

void report(int fd, const std::string& s) {
  std::string line = s + "\n";
  (void)!::write(fd, line.data(), line.size());
}

/// Builds caps + seccomp before fork; the child installs them and reports what it can do.
std::string probe(const std::vector<std::string>& caps, bool setuid_first) {
  auto state = engine::security::make_cap_state(caps);
  auto prog = engine::security::build_default_seccomp(caps);
  REQUIRE(state);
  REQUIRE(prog);
  itest::Child child([&](int rep) {
    // runc's order: seccomp while CAP_SYS_ADMIN is still held, then the uid change (keeping
    // capabilities across it), then the final capability sets.
    if (int err = engine::security::install_seccomp(*prog); err != 0)
      return report(rep, "seccomp: " + std::to_string(err));
    if (setuid_first) {
      ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
      if (::setresgid(1000, 1000, 1000) != 0 || ::setresuid(1000, 1000, 1000) != 0) return report(rep, "setuid failed");
    }
    if (int err = engine::security::apply_cap_state_raw(*state); err != 0)
      return report(rep, "caps: " + std::to_string(err));
    std::string r = "CapEff=" + status_field("CapEff") + " CapBnd=" + status_field("CapBnd") +
                    " CapInh=" + status_field("CapInh") + " CapAmb=" + status_field("CapAmb");
    r += " unshare=" + errno_name(::unshare(CLONE_NEWNS));
    r += " keyctl=" + errno_name(::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr));
    r += " mount=" + errno_name(::syscall(SYS_mount, "none", "/nonexistent-berth", "tmpfs", 0, nullptr));
    report(rep, r);
  });
  child.go();
  std::string out = child.report();
  child.wait();
  return out;
}

}  // namespace

TEST_CASE("security real: default caps + seccomp give Docker's CapEff and block namespaces and keys") {
  std::string got = probe(engine::security::default_capabilities(), false);
  CHECK(got ==
        "CapEff=00000000a80425fb CapBnd=00000000a80425fb CapInh=0000000000000000 CapAmb=0000000000000000 "
        "unshare=EPERM keyctl=EPERM mount=EPERM");
}

TEST_CASE("security real: the same state applies after switching to a non-root uid") {
  std::string got = probe(engine::security::default_capabilities(), true);
  CHECK(got ==
        "CapEff=00000000a80425fb CapBnd=00000000a80425fb CapInh=0000000000000000 CapAmb=0000000000000000 "
        "unshare=EPERM keyctl=EPERM mount=EPERM");
}

TEST_CASE("security real: CAP_SYS_ADMIN opens unshare and mount again") {
  auto caps = engine::security::resolve_capabilities({"SYS_ADMIN"}, {}, false);
  REQUIRE(caps);
  std::string got = probe(*caps, false);
  CHECK(got.find("CapEff=00000000a82425fb") != std::string::npos);
  CHECK(got.find("unshare=ok") != std::string::npos);
  CHECK(got.find("keyctl=EPERM") != std::string::npos);  // keyctl stays blocked even then
  CHECK(got.find("mount=errno 2") != std::string::npos);  // allowed through: ENOENT from the kernel
}

TEST_CASE("security real: rlimits are applied, a refused hard raise is named") {
  auto limits = engine::security::parse_ulimits({"nofile=100:200", "core=0"});
  REQUIRE(limits);
  itest::Child child([&](int rep) {
    if (auto st = engine::security::apply_rlimits(*limits); !st) return report(rep, st.error().str());
    rlimit nf{}, core{};
    ::getrlimit(RLIMIT_NOFILE, &nf);
    ::getrlimit(RLIMIT_CORE, &core);
    std::string r = "nofile=" + std::to_string(nf.rlim_cur) + ":" + std::to_string(nf.rlim_max) +
                    " core=" + std::to_string(core.rlim_cur) + ":" + std::to_string(core.rlim_max);
    // Raising the hard limit back needs CAP_SYS_RESOURCE, which this child gives up first.
    auto caps = engine::security::make_cap_state(engine::security::default_capabilities());
    if (engine::security::apply_cap_state_raw(*caps) != 0) return report(rep, r + " caps failed");
    auto st = engine::security::apply_rlimits({{RLIMIT_NOFILE, 100, 4096, "nofile"}});
    r += st ? " raise=allowed" : " raise=" + st.error().str();
    report(rep, r);
  });
  child.go();
  CHECK(child.report() ==
        "nofile=100:200 core=0:0 raise=setrlimit nofile (soft 100, hard 4096): raising the hard limit above 200 "
        "needs CAP_SYS_RESOURCE: Operation not permitted");
  child.wait();
}
