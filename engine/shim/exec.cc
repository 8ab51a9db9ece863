#include "engine/shim/exec.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/process/init.h"
#include "engine/process/security.h"
#include "engine/process/user.h"
#include "engine/runtime/spec.h"
#include "engine/shim/cgroup_glue.h"
#include "engine/shim/exec_tty.h"
#include "engine/sys/syscalls.h"

namespace engine::shim {

using base::Status;

namespace {

[[noreturn]] void die(int error_fd, const base::Error& e, int code) {
  std::string line = e.str() + "\n";
  if (error_fd >= 0) (void)!::write(error_fd, line.data(), line.size());
  (void)!::write(2, line.data(), line.size());
  ::_exit(code);
}

bool same_ns(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/// How the exec'd process gets into the container's cgroup.
struct CgroupEntry {
  ContainerCgroup cg;
  bool helper_joined = false;    ///< the helper joined it (user namespace: the old, slow way)
  base::UniqueFd cgroup_ns;      ///< entered by the child after joining (-1 = none)
};

/// Enters the container's namespaces. Without a user namespace the cgroup namespace is left to
/// the child, which is cloned into the cgroup first (clone3 checks the cgroup against the
/// caller's cgroup namespace); with one, the helper joins the cgroup before entering anything.
base::Result<CgroupEntry> join_container(int pid, const runtime::ContainerSpec& spec) {
  CgroupEntry entry;
  auto cg = ContainerCgroup::open(spec.cgroup);
  if (!cg) return cg.take_error();
  entry.cg = std::move(*cg);
  // user first (its privileges apply to the rest), mnt last (paths above are host paths).
  static const std::pair<const char*, int> order[] = {{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC},
                                                      {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},
                                                      {"pid", CLONE_NEWPID},   {"cgroup", CLONE_NEWCGROUP},
                                                      {"mnt", CLONE_NEWNS}};
  std::vector<std::pair<base::UniqueFd, int>> fds;
  for (auto [name, type] : order) {
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
    if (same_ns(path, std::string("/proc/self/ns/") + name)) continue;
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return base::sys_error("open " + path);
    fds.emplace_back(std::move(fd), type);
  }
  entry.helper_joined = std::any_of(fds.begin(), fds.end(), [](const auto& f) { return f.second == CLONE_NEWUSER; });
  if (entry.helper_joined) BERTH_TRY(entry.cg.add(::getpid()));
  for (auto& [fd, type] : fds) {
    if (type == CLONE_NEWCGROUP && !entry.helper_joined) {
      entry.cgroup_ns = std::move(fd);
      continue;
    }
    if (::setns(fd.get(), type) != 0) return base::sys_error("setns " + std::to_string(type));
  }
  return entry;
}

/// In the child: into the cgroup (unless the helper is in it already), then its namespace.
Status enter_cgroup(CgroupEntry& entry, bool shim_joins) {
  if (!entry.helper_joined) {
    if (shim_joins) BERTH_TRY(entry.cg.add(::getpid()));
    else if (const cgroup::JoinHandles* h = entry.cg.join_handles()) BERTH_TRY(cgroup::join_self(*h));
  }
  if (entry.cgroup_ns && ::setns(entry.cgroup_ns.get(), CLONE_NEWCGROUP) != 0) return base::sys_error("setns cgroup");
  return {};
}

[[noreturn]] void exec_child(const runtime::ContainerSpec& spec, const runtime::ExecSpec& ex,
                             const process::SecurityPlan& sec, int error_fd) {
  std::string user_spec = ex.user.empty() ? spec.process.user : ex.user;
  auto user = process::resolve_user_in_roots(user_spec, ex.user.empty() ? spec.process.group_add
                                                                          : std::vector<std::string>{},
                                             {""});
  if (!user) die(error_fd, user.error(), 126);
  if (::setsid() < 0) die(error_fd, base::sys_error("setsid"), 126);
  if (ex.tty) ::ioctl(0, TIOCSCTTY, 0);
  std::vector<std::string> env = spec.process.env;
  for (const std::string& e : ex.env) {
    std::string key = e.substr(0, e.find('='));
    std::erase_if(env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    env.push_back(e);
  }
  bool has_path = false, has_home = false;
  for (const std::string& e : env) {
    has_path |= e.rfind("PATH=", 0) == 0;
    has_home |= e.rfind("HOME=", 0) == 0;
  }
  if (!has_path) env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!has_home) env.push_back("HOME=" + user->home);
  Status st = process::drop_privileges(sec, *user, false);
  if (!st) die(error_fd, st.error(), 126);
  // Die with the helper (after the credential change, which clears the setting): killing the
  // helper (a probe's timeout, the shim's teardown) must not leave the process behind.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::string cwd = ex.cwd.empty() ? spec.process.cwd : ex.cwd;
  if (::chdir(cwd.c_str()) != 0) die(error_fd, base::sys_error("chdir " + cwd), 126);
  std::string path = process::find_executable(ex.args[0], env);
  if (path.empty()) die(error_fd, base::not_found(process::not_found_message(ex.args[0])), 127);
  Status fin = process::finish_privileges(sec);
  if (!fin) die(error_fd, fin.error(), 126);
  std::vector<char*> argv, envp;
  for (const std::string& a : ex.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(path.c_str(), argv.data(), envp.data());
  die(error_fd, base::sys_error("exec: \"" + ex.args[0] + "\""), errno == ENOENT ? 127 : 126);
}

}  // namespace

int run_exec(const std::string& bundle, int pid, const std::string& spec_json, int error_fd) {
  if (error_fd >= 0) ::fcntl(error_fd, F_SETFD, FD_CLOEXEC);
  auto text = base::read_file(bundle + "/config.json");
  if (!text) die(error_fd, text.error(), 126);
  auto spec = runtime::spec_from_string(*text);
  if (!spec) die(error_fd, spec.error(), 126);
  runtime::ExecSpec ex;
  try {
    ex = nlohmann::json::parse(spec_json).get<runtime::ExecSpec>();
  } catch (const nlohmann::json::exception& e) {
    die(error_fd, base::invalid(std::string("parse exec spec: ") + e.what()), 126);
  }
  if (ex.args.empty()) die(error_fd, base::invalid("exec: no command"), 126);
  // Prepared on the host side: the compiled seccomp program comes from the state root's cache.
  runtime::ContainerSpec sec_spec = *spec;
  if (ex.privileged) sec_spec.privileged = true;
  auto sec = process::prepare_security(sec_spec, bundle.substr(0, bundle.rfind('/')) + "/.cache");
  if (!sec) die(error_fd, sec.error(), 126);
  auto entry = join_container(pid, *spec);
  if (!entry) die(error_fd, entry.error().wrap("exec in container " + spec->id), 126);
  // A terminal of the container's own devpts, relayed to the host pty we were given.
  ContainerPty pty;  // both ends stay closed (-1) without a terminal
  if (ex.tty) {
    auto opened = open_container_pty(0);
    if (!opened) die(error_fd, opened.error(), 126);
    pty = std::move(*opened);
  }
  // Born in the container's cgroup (cgroup2 leaf by clone3, v1 by its own `tasks` writes):
  // a cgroup.procs write of the helper's pid waited for an RCU grace period on every exec.
  bool shim_joins = false;
  auto cloned = entry->helper_joined ? sys::clone_process(0) : entry->cg.clone_child(0, &shim_joins);
  if (!cloned) die(error_fd, cloned.error(), 126);
  pid_t child = *cloned;
  if (child == 0) {
    if (Status in = enter_cgroup(*entry, shim_joins); !in) die(error_fd, in.error().wrap("exec in container " + spec->id), 126);
    if (ex.tty) {
      for (int fd = 0; fd < 3; ++fd)
        if (::dup2(pty.slave.get(), fd) < 0) die(error_fd, base::sys_error("dup2 pty"), 126);
      pty.slave.reset();
      pty.master.reset();
    }
    exec_child(*spec, ex, *sec, error_fd);
  }
  if (error_fd >= 0) ::close(error_fd);
  if (ex.tty) {
    pty.slave.reset();
    return relay_container_pty(child, 0, pty.master.get());
  }
  // Forward termination signals to the process; reap it and exit with its status.
  sigset_t set;
  ::sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD}) ::sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  for (;;) {
    int status;
    pid_t p = ::waitpid(child, &status, WNOHANG);
    if (p == child) return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    siginfo_t info;
    int sig = ::sigwaitinfo(&set, &info);
    if (sig > 0 && sig != SIGCHLD) ::kill(child, sig);
  }
}

}  // namespace engine::shim
