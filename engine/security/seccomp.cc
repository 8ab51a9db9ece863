#include "engine/security/seccomp.h"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "engine/base/unique_fd.h"
#include "engine/security/seccomp_profile.h"

namespace engine::security {

using engine::base::Result;

namespace {

/// Namespace flags a container without CAP_SYS_ADMIN may not pass to clone (0x7E020000).
constexpr uint64_t kNamespaceFlags =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

/// personality(2) values Docker allows: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query.
constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

bool has(const std::set<std::string>& caps, std::string_view cap) { return caps.count(std::string(cap)) > 0; }

engine::base::Error seccomp_error(const std::string& what, int rc) { return engine::base::sys_error(what, -rc); }

/// Adds rule for a syscall by name; names this libseccomp or architecture lacks are skipped,
/// as Docker does for profiles that list newer syscalls.
int add_rule(scmp_filter_ctx ctx, uint32_t action, const char* name, unsigned argc = 0,
             const scmp_arg_cmp* args = nullptr) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0;
  int rc = seccomp_rule_add_array(ctx, action, nr, argc, args);
  return rc == -EDOM ? 0 : rc;
}

}  // namespace

std::vector<std::string> default_seccomp_allowed(const std::vector<std::string>& caps) {
  std::set<std::string> capset(caps.begin(), caps.end());
  auto [major, minor] = running_kernel();
  std::set<std::string> names = allowed_syscalls(capset, major, minor);
  names.insert({"personality", "socket"});  // with argument rules
  if (!has(capset, "CAP_SYS_ADMIN")) names.insert("clone");  // with a namespace-flag argument rule
  return std::vector<std::string>(names.begin(), names.end());
}

Result<SeccompProgram> build_default_seccomp(const std::vector<std::string>& caps) {
  std::set<std::string> capset(caps.begin(), caps.end());
  Ctx ctx(seccomp_init(SCMP_ACT_ERRNO(EPERM)));
  if (!ctx) return engine::base::internal("seccomp_init failed");
  // Compat ABIs of the native architecture, as Docker's archMap.
#if defined(__x86_64__)
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32})
    if (int rc = seccomp_arch_add(ctx.get(), arch); rc < 0 && rc != -EEXIST)
      return seccomp_error("seccomp add architecture", rc);
#elif defined(__aarch64__)
  if (int rc = seccomp_arch_add(ctx.get(), SCMP_ARCH_ARM); rc < 0 && rc != -EEXIST)
    return seccomp_error("seccomp add architecture", rc);
#endif
  (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);  // binary tree: faster for long lists

  auto [major, minor] = running_kernel();
  for (const std::string& name : allowed_syscalls(capset, major, minor))
    if (int rc = add_rule(ctx.get(), SCMP_ACT_ALLOW, name.c_str()); rc < 0)
      return seccomp_error("seccomp allow " + name, rc);

  // socket: everything but AF_VSOCK.
  scmp_arg_cmp not_vsock = SCMP_A0(SCMP_CMP_NE, AF_VSOCK);
  if (int rc = add_rule(ctx.get(), SCMP_ACT_ALLOW, "socket", 1, &not_vsock); rc < 0)
    return seccomp_error("seccomp allow socket", rc);
  for (uint64_t p : kPersonalities) {
    scmp_arg_cmp eq = SCMP_A0(SCMP_CMP_EQ, p);
    if (int rc = add_rule(ctx.get(), SCMP_ACT_ALLOW, "personality", 1, &eq); rc < 0)
      return seccomp_error("seccomp allow personality", rc);
  }
  if (!has(capset, "CAP_SYS_ADMIN")) {
    // clone without namespace flags only; clone3 hides its flags in memory seccomp cannot read,
    // so it reports ENOSYS and libc falls back to clone.
#if defined(__s390x__)
    scmp_arg_cmp no_ns = SCMP_A1(SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0);
#else
    scmp_arg_cmp no_ns = SCMP_A0(SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0);
#endif
    if (int rc = add_rule(ctx.get(), SCMP_ACT_ALLOW, "clone", 1, &no_ns); rc < 0)
      return seccomp_error("seccomp allow clone", rc);
    if (int rc = add_rule(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), "clone3"); rc < 0)
      return seccomp_error("seccomp clone3", rc);
  }

  engine::base::UniqueFd fd(::memfd_create("berth-seccomp", MFD_CLOEXEC));
  if (!fd) return engine::base::sys_error("memfd_create for seccomp export");
  if (int rc = seccomp_export_bpf(ctx.get(), fd.get()); rc < 0) return seccomp_error("seccomp export", rc);
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0)
    return engine::base::internal("seccomp export: unexpected size " + std::to_string(size));
  SeccompProgram prog;
  prog.filter.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(fd.get(), prog.filter.data(), static_cast<size_t>(size), 0) != size)
    return engine::base::sys_error("read seccomp export");
  return prog;
}

int install_seccomp(const SeccompProgram& p) noexcept {
  if (p.filter.empty() || p.filter.size() > 0xffff) return EINVAL;
  sock_fprog prog{static_cast<unsigned short>(p.filter.size()), const_cast<sock_filter*>(p.filter.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
  if (errno != ENOSYS) return errno;
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0) return 0;
  return errno;
}

}  // namespace engine::security
