#include "engine/security/seccomp.h"

#include <doctest/doctest.h>
#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sys/wait.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>

#include "engine/security/capabilities.h"
#include "engine/security/seccomp_profile.h"
#include "tests/engine/security/child.h"

using engine::security::SeccompProgram;

namespace {

bool contains(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/// Runs a syscall and reports "ok" or the errno name it failed with.
std::string outcome(long rc) {
  if (rc >= 0) return "ok";
  switch (errno) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    default: return "errno " + std::to_string(errno);
  }
}

}  // namespace

TEST_CASE("seccomp: the default allow-list follows the capabilities") {
  auto def = engine::security::default_seccomp_allowed(engine::security::default_capabilities());
  CHECK(std::is_sorted(def.begin(), def.end()));
  for (const char* s : {"read", "write", "execve", "clone", "socket", "personality", "ptrace", "chroot", "arch_prctl"})
    CHECK_MESSAGE(contains(def, s), s);
  for (const char* s : {"mount", "umount2", "unshare", "setns", "keyctl", "add_key", "request_key", "kexec_load",
                        "bpf", "perf_event_open", "reboot", "swapon", "swapoff", "init_module", "open_by_handle_at",
                        "clone3", "acct", "settimeofday", "syslog"})
    CHECK_MESSAGE(!contains(def, s), s);
  auto admin = engine::security::default_seccomp_allowed({"CAP_SYS_ADMIN", "CAP_SYS_BOOT"});
  for (const char* s : {"mount", "umount2", "unshare", "setns", "clone3", "bpf", "reboot"}) CHECK_MESSAGE(contains(admin, s), s);
  CHECK(!contains(admin, "keyctl"));
  CHECK(!contains(admin, "chroot"));  // needs CAP_SYS_CHROOT
}

TEST_CASE("seccomp: build exports a BPF program that checks the architecture first") {
  auto p = engine::security::build_default_seccomp(engine::security::default_capabilities());
  REQUIRE_MESSAGE(p, p.error().str());
  REQUIRE(p->filter.size() > 50);
  // libseccomp's programs start by loading seccomp_data.arch.
  CHECK(p->filter[0].code == (BPF_LD | BPF_W | BPF_ABS));
  CHECK(p->filter[0].k == offsetof(seccomp_data, arch));
  auto admin = engine::security::build_default_seccomp({"CAP_SYS_ADMIN"});
  REQUIRE(admin);
  CHECK(admin->filter.size() != p->filter.size());
}

TEST_CASE("seccomp: installed in a child, blocked calls fail as Docker's profile says") {
  auto p = engine::security::build_default_seccomp(engine::security::default_capabilities());
  REQUIRE(p);
  std::string got = test::security::run_in_child([&]() -> std::string {
    // no_new_privs lets an unprivileged test process install a filter.
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "nnp failed";
    if (int err = engine::security::install_seccomp(*p); err != 0) return "install failed: " + std::to_string(err);
    std::string r;
    r += "getpid=" + outcome(::syscall(SYS_getpid));
    r += " unshare=" + outcome(::unshare(CLONE_NEWNS));
    r += " keyctl=" + outcome(::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
    r += " add_key=" + outcome(::syscall(SYS_add_key, "user", "k", "v", 1, KEY_SPEC_SESSION_KEYRING));
    r += " clone3=" + outcome(::syscall(SYS_clone3, nullptr, 0));
    r += " clone_newns=" + outcome(::syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, nullptr, nullptr, nullptr, 0));
    r += " personality=" + outcome(::syscall(SYS_personality, 0xffffffff));
    r += " bad_personality=" + outcome(::syscall(SYS_personality, 0x0400000));
    pid_t c = ::fork();  // plain clone without namespace flags is allowed
    if (c == 0) ::_exit(0);
    r += " fork=" + std::string(c > 0 ? "ok" : "failed");
    if (c > 0) ::waitpid(c, nullptr, 0);
    return r;
  });
  CHECK(got ==
        "getpid=ok unshare=EPERM keyctl=EPERM add_key=EPERM clone3=ENOSYS clone_newns=EPERM personality=ok "
        "bad_personality=EPERM fork=ok");
}

TEST_CASE("seccomp: install rejects an empty program") {
  CHECK(engine::security::install_seccomp(SeccompProgram{}) == EINVAL);
}

TEST_CASE("seccomp: ptrace is allowed from kernel 4.8, or with CAP_SYS_PTRACE") {
  using engine::security::allowed_syscalls;
  CHECK(allowed_syscalls({}, 4, 8).count("ptrace") == 1);
  CHECK(allowed_syscalls({}, 5, 0).count("process_vm_readv") == 1);
  CHECK(allowed_syscalls({}, 4, 7).count("ptrace") == 0);
  CHECK(allowed_syscalls({}, 3, 10).count("process_vm_writev") == 0);
  CHECK(allowed_syscalls({"CAP_SYS_PTRACE"}, 4, 4).count("ptrace") == 1);
  CHECK(allowed_syscalls({"CAP_SYS_PTRACE"}, 4, 4).count("kcmp") == 1);
  CHECK(allowed_syscalls({}, 6, 1).count("kcmp") == 0);
  CHECK(engine::security::running_kernel().first >= 4);
}
