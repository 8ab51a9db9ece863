// Docker's default seccomp profile (moby profiles/seccomp), rewritten as tables: the syscalls
// every container may use, then those allowed only with a capability. Anything absent returns
// EPERM. Facts from moby profiles/seccomp/default.json (names and capability conditions).
#include "engine/security/seccomp_profile.h"

#include <sys/utsname.h>

#include <cstdio>

namespace engine::security {

namespace {

using sv = std::string_view;

constexpr sv kAlways[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir", "chmod",
    "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
    "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
    "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
    "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat",
    "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
    "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
    "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
    "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
    "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
    "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
    "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
    "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
    "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
    "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore",
    "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
    "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat",
    "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
    "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
    "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
    "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq",
    "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
    "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
    "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
    "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
    "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
    "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt",
    "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall",
    "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
    "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
    "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
    "writev",
#if defined(__x86_64__)
    "arch_prctl", "modify_ldt",
#elif defined(__aarch64__)
    "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls",
#elif defined(__riscv)
    "riscv_flush_icache",
#endif
};

// Capability-gated groups. clone/clone3 with CAP_SYS_ADMIN are here; without it clone gets an
// argument rule and clone3 ENOSYS (seccomp.cc).
// Safe since kernel 4.8 (ptrace can no longer bypass seccomp); see allowed_syscalls.
constexpr sv kSince48[] = {"process_vm_readv", "process_vm_writev", "ptrace"};

constexpr sv kSysAdmin[] = {"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                            "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
                            "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
                            "syslog", "umount", "umount2", "unshare"};
constexpr sv kDacReadSearch[] = {"open_by_handle_at"};
constexpr sv kSysBoot[] = {"reboot"};
constexpr sv kSysChroot[] = {"chroot"};
constexpr sv kSysModule[] = {"delete_module", "init_module", "finit_module"};
constexpr sv kSysPacct[] = {"acct"};
constexpr sv kSysPtrace[] = {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
                             "ptrace"};
constexpr sv kSysRawio[] = {"iopl", "ioperm"};
constexpr sv kSysTime[] = {"settimeofday", "stime", "clock_settime", "clock_settime64"};
constexpr sv kSysTtyConfig[] = {"vhangup"};
constexpr sv kSysNice[] = {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"};
constexpr sv kSyslog[] = {"syslog"};
constexpr sv kBpf[] = {"bpf"};
constexpr sv kPerfmon[] = {"perf_event_open"};

constexpr SyscallGroup kGroups[] = {
    {"", kAlways},
    {"CAP_SYS_ADMIN", kSysAdmin},
    {"CAP_DAC_READ_SEARCH", kDacReadSearch},
    {"CAP_SYS_BOOT", kSysBoot},
    {"CAP_SYS_CHROOT", kSysChroot},
    {"CAP_SYS_MODULE", kSysModule},
    {"CAP_SYS_PACCT", kSysPacct},
    {"CAP_SYS_PTRACE", kSysPtrace},
    {"CAP_SYS_RAWIO", kSysRawio},
    {"CAP_SYS_TIME", kSysTime},
    {"CAP_SYS_TTY_CONFIG", kSysTtyConfig},
    {"CAP_SYS_NICE", kSysNice},
    {"CAP_SYSLOG", kSyslog},
    {"CAP_BPF", kBpf},
    {"CAP_PERFMON", kPerfmon},
};

}  // namespace

std::span<const SyscallGroup> default_profile_groups() { return kGroups; }

std::set<std::string> allowed_syscalls(const std::set<std::string>& caps, int kernel_major, int kernel_minor) {
  std::set<std::string> out;
  for (const SyscallGroup& g : kGroups)
    if (g.cap.empty() || caps.count(std::string(g.cap)))
      for (sv n : g.names) out.insert(std::string(n));
  if (kernel_major > 4 || (kernel_major == 4 && kernel_minor >= 8))
    for (sv n : kSince48) out.insert(std::string(n));
  return out;
}

std::pair<int, int> running_kernel() {
  utsname u{};
  int major = 0, minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return {0, 0};
  return {major, minor};
}

}  // namespace engine::security
