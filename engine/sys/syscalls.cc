#include "engine/sys/syscalls.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace engine::sys {

using base::Result;
using base::Status;
using base::sys_error;

Result<pid_t> clone_process(unsigned long flags) {
  long r = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (r < 0) return sys_error("clone");
  return static_cast<pid_t>(r);
}

Result<base::UniqueFd> pidfd_open(pid_t pid) {
  long r = ::syscall(SYS_pidfd_open, pid, 0);
  if (r < 0) return sys_error("pidfd_open " + std::to_string(pid));
  return base::UniqueFd(static_cast<int>(r));
}

Status pidfd_send_signal(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0)
    return sys_error("send signal " + std::to_string(sig));
  return {};
}

Status setns_path(const std::string& path, int nstype) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error("open namespace " + path);
  if (::setns(fd.get(), nstype) != 0) return sys_error("setns " + path);
  return {};
}

Status mount(const std::string& source, const std::string& target, const std::string& fstype,
             unsigned long flags, const std::string& data) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(),
              flags, data.empty() ? nullptr : data.c_str()) != 0)
    return sys_error("mount " + (source.empty() ? fstype : source) + " on " + target);
  return {};
}

Status umount(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) != 0) return sys_error("umount " + target);
  return {};
}

Status pivot_root(const std::string& new_root) {
  base::UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root) return sys_error("open /");
  if (::chdir(new_root.c_str()) != 0) return sys_error("chdir " + new_root);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error("pivot_root " + new_root);
  // The old root now sits on top of "/": detach it without letting the unmount propagate to the host.
  if (::fchdir(old_root.get()) != 0) return sys_error("fchdir old root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) return sys_error("make old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) return sys_error("umount old root");
  if (::chdir("/") != 0) return sys_error("chdir /");
  return {};
}

Result<int> namespace_flag(std::string_view type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "mount" || type == "mnt") return CLONE_NEWNS;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "net" || type == "network") return CLONE_NEWNET;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  if (type == "user") return CLONE_NEWUSER;
  return base::invalid("unknown namespace type \"" + std::string(type) + "\"");
}

Result<std::string> namespace_file(std::string_view type) {
  if (type == "mount" || type == "mnt") return std::string("mnt");
  if (type == "network" || type == "net") return std::string("net");
  if (type == "pid" || type == "uts" || type == "ipc" || type == "cgroup" || type == "user") return std::string(type);
  return base::invalid("unknown namespace type \"" + std::string(type) + "\"");
}

}  // namespace engine::sys
