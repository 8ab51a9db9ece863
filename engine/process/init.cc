#include "engine/process/init.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "engine/rootfs/apply.h"
#include "engine/sys/fd_passing.h"
#include "engine/sys/syscalls.h"

namespace engine::process {

using base::Status;
using base::sys_error;

namespace {

[[noreturn]] void fail(const InitConfig& cfg, base::Error err, int code = 1) {
  std::string text = err.str();
  cfg.channel->send_error(err, code);
  // Also on the container's stderr, which the shim writes to the log.
  std::string line = text + "\n";
  (void)!::write(2, line.data(), line.size());
  ::_exit(code);
}

Status write_proc(const std::string& path, const std::string& value) {
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  if (::write(fd.get(), value.data(), value.size()) < 0) return sys_error("write " + path);
  return {};
}

Status set_sysctls(const runtime::ContainerSpec& spec) {
  for (const auto& [key, value] : spec.sysctls) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    Status st = write_proc(path, value);
    if (!st) return st.take_error().wrap("sysctl " + key);
  }
  return {};
}

Status setup_stdio(const InitConfig& cfg) {
  for (int i = 0; i < 3; ++i) {
    if (cfg.stdio[i] < 0) continue;
    if (::dup2(cfg.stdio[i], i) < 0) return sys_error("dup2 stdio");
  }
  if (::setsid() < 0) return sys_error("setsid");
  if (cfg.terminal && ::ioctl(0, TIOCSCTTY, 0) != 0) return sys_error("set controlling terminal");
  return {};
}

Status setup(const InitConfig& cfg) {
  const runtime::ContainerSpec& spec = *cfg.spec;
  BERTH_TRY(cfg.channel->expect(SyncKind::Go));
  // In the cgroup before anything else runs (cgroup2 already: we were cloned into it).
  if (cfg.cgroup) BERTH_TRY(cgroup::join_self(*cfg.cgroup));
  if (cfg.new_user_ns) {
    if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0) return sys_error("become root in user namespace");
  }
  for (const auto& [type, path] : cfg.joins) {
    Status st = sys::setns_path(path, type);
    if (!st) return st.take_error().wrap("join namespace");
  }
  BERTH_TRY(rootfs::prepare_root(cfg.plan));
  BERTH_TRY(rootfs::apply_before_pivot(cfg.plan));
  BERTH_TRY(rootfs::pivot(cfg.plan));
  if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) != 0)
    return sys_error("sethostname " + spec.hostname);
  if (!spec.domainname.empty() && ::setdomainname(spec.domainname.data(), spec.domainname.size()) != 0)
    return sys_error("setdomainname " + spec.domainname);
  BERTH_TRY(set_sysctls(spec));
  BERTH_TRY(rootfs::apply_after_pivot(cfg.plan));
  if (spec.process.oom_score_adj)
    BERTH_TRY(write_proc("/proc/self/oom_score_adj", std::to_string(*spec.process.oom_score_adj)));
  BERTH_TRY(apply_rlimits(cfg.security));
  BERTH_TRY(setup_stdio(cfg));
  // A cgroup namespace must be rooted at the cgroup: without CLONE_INTO_CGROUP the shim joins
  // us while we set up, and says so.
  if (cfg.new_cgroup_ns) {
    if (cfg.shim_joins_cgroup) BERTH_TRY(cfg.channel->expect(SyncKind::Joined));
    if (::unshare(CLONE_NEWCGROUP) != 0) return sys_error("unshare cgroup namespace");
  }
  return {};
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_process(const InitConfig& cfg) {
  const runtime::ContainerSpec& spec = *cfg.spec;
  if (::chdir(spec.process.cwd.c_str()) != 0)
    fail(cfg, sys_error("chdir to cwd (\"" + spec.process.cwd + "\") set in config.json failed"), 126);
  std::string path = find_executable(cfg.argv[0], cfg.envp);
  if (path.empty()) fail(cfg, base::not_found(not_found_message(cfg.argv[0])), 127);
  Status st = finish_privileges(cfg.security);
  if (!st) fail(cfg, st.take_error(), 126);
  std::vector<char*> argv = c_strings(cfg.argv), envp = c_strings(cfg.envp);
  ::execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  fail(cfg, base::sys_error("exec: \"" + cfg.argv[0] + "\"", err), err == ENOENT ? 127 : 126);
}

}  // namespace

std::string not_found_message(const std::string& file) {
  return "exec: \"" + file + "\": executable file not found in $PATH";
}

std::string find_executable(const std::string& file, const std::vector<std::string>& env) {
  auto usable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (file.find('/') != std::string::npos) return usable(file) ? file : std::string();
  std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& e : env)
    if (e.rfind("PATH=", 0) == 0) path_var = e.substr(5);
  size_t start = 0;
  for (;;) {
    size_t end = path_var.find(':', start);
    std::string dir = path_var.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir.push_back('.');
    std::string cand = dir + "/" + file;
    if (usable(cand)) return cand;
    if (end == std::string::npos) return {};
    start = end + 1;
  }
}

void run_init(const InitConfig& cfg) {
  Status st = setup(cfg);
  if (!st) fail(cfg, st.take_error());
  if (!cfg.channel->send(SyncKind::Ready)) ::_exit(1);
  Status start = cfg.channel->expect(SyncKind::Start);
  if (!start) ::_exit(1);  // the shim went away or asked us to die
  Status priv = drop_privileges(cfg.security, cfg.user, cfg.new_user_ns);
  if (!priv) fail(cfg, priv.take_error());
  // The init dies with its shim (set after the credential change, which clears it): a killed
  // shim must not leave the container running unsupervised.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (cfg.spec->process.init) {
    pid_t child = ::fork();
    if (child < 0) fail(cfg, sys_error("fork init child"));
    if (child == 0) exec_process(cfg);
    // Only the child reports; drop our end so EOF reaches the shim once it exec'd.
    ::close(cfg.channel->fd());
    run_reaper(child);
  }
  exec_process(cfg);
}

}  // namespace engine::process
