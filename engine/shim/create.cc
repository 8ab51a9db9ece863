#include "engine/shim/create.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "engine/base/time.h"

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "engine/process/init.h"
#include "engine/rootfs/plan.h"
#include "engine/runtime/status_file.h"
#include "engine/shim/cgroup_glue.h"
#include "engine/shim/monitor.h"
#include "engine/sys/fd_passing.h"
#include "engine/sys/syscalls.h"

namespace engine::shim {

using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

/// What the monitor decides before clone.
struct Prepared {
  runtime::ContainerSpec spec;
  process::InitConfig init;
  unsigned long clone_flags = CLONE_NEWNS;
  std::string join_pid;  ///< pid namespace to enter before clone ("" = none)
};

/// BERTH_SHIM_TRACE=FILE appends "<µs since start> <phase>" lines: where create spends its time.
void trace(const char* phase) {
  static const char* file = ::getenv("BERTH_SHIM_TRACE");
  static const int64_t t0 = base::now_ns();
  if (!file) return;
  int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[128];
  int n = std::snprintf(line, sizeof line, "%d %lld %s\n", ::getpid(), static_cast<long long>((base::now_ns() - t0) / 1000), phase);
  (void)!::write(fd, line, static_cast<size_t>(n));
  ::close(fd);
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
  for (const std::string& e : env)
    if (e.rfind(key + "=", 0) == 0) return true;
  return false;
}

Result<Prepared> prepare(const std::string& bundle) {
  Prepared p;
  auto text = base::read_file(bundle + "/config.json");
  if (!text) return text.take_error().wrap("read container spec");
  auto spec = runtime::spec_from_string(*text);
  if (!spec) return spec.take_error();
  p.spec = std::move(*spec);
  const runtime::ContainerSpec& s = p.spec;
  BERTH_TRY(runtime::validate_spec(s));

  rootfs::PlanOptions opts;
  opts.bundle_dir = bundle;
  opts.new_net_ns = false;
  for (const runtime::NamespaceSpec& ns : s.namespaces) {
    auto flag = sys::namespace_flag(ns.type);
    if (!flag) return flag.take_error();
    if (*flag == CLONE_NEWNET) opts.new_net_ns = true;
    if (*flag == CLONE_NEWUSER && ns.path.empty()) p.init.new_user_ns = true;
    if (!ns.path.empty()) {
      if (!base::path_exists(ns.path)) return base::not_found("namespace " + ns.path + " does not exist");
      if (*flag == CLONE_NEWPID) p.join_pid = ns.path;
      else if (*flag != CLONE_NEWNS) p.init.joins.emplace_back(*flag, ns.path);
    } else if (*flag == CLONE_NEWCGROUP) {
      p.init.new_cgroup_ns = true;  // unshared by the init once it sits in its cgroup
    } else {
      p.clone_flags |= static_cast<unsigned long>(*flag);
    }
  }
  // Join the user namespace first, so the others are entered with its privileges.
  std::stable_sort(p.init.joins.begin(), p.init.joins.end(),
                   [](const auto& a, const auto& b) { return (a.first == CLONE_NEWUSER) > (b.first == CLONE_NEWUSER); });
  opts.user_ns = p.init.new_user_ns;
  trace("spec parsed");
  auto plan = rootfs::build_plan(s, opts);
  if (!plan) return plan.take_error();
  p.init.plan = std::move(*plan);

  std::vector<std::string> roots;
  if (s.rootfs.lowerdirs.empty()) {
    roots.push_back(s.rootfs.path);
  } else {
    roots.push_back(bundle + "/upper");
    roots.insert(roots.end(), s.rootfs.lowerdirs.begin(), s.rootfs.lowerdirs.end());
  }
  auto user = process::resolve_user_in_roots(s.process.user, s.process.group_add, roots);
  if (!user) return user.take_error();
  p.init.user = std::move(*user);
  if (!s.cgroup.rel_path.empty()) {
    Status valid = cgroup::validate(s.cgroup.resources);
    if (!valid) return valid.take_error();
  }
  trace("plan and user resolved");
  // Compiled seccomp programs are shared by the bundles beside this one (<state_root>/.cache).
  auto sec = process::prepare_security(s, bundle.substr(0, bundle.rfind('/')) + "/.cache");
  if (!sec) return sec.take_error();
  p.init.security = std::move(*sec);

  p.init.argv = s.process.args;
  p.init.envp = s.process.env;
  if (!has_env(p.init.envp, "PATH"))
    p.init.envp.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!s.hostname.empty() && !has_env(p.init.envp, "HOSTNAME")) p.init.envp.push_back("HOSTNAME=" + s.hostname);
  if (s.process.terminal && !has_env(p.init.envp, "TERM")) p.init.envp.push_back("TERM=xterm");
  if (!has_env(p.init.envp, "HOME")) p.init.envp.push_back("HOME=" + p.init.user.home);
  p.init.terminal = s.process.terminal;

  trace("security prepared");
  if (s.hosts_file) BERTH_TRY(runtime::write_file_nosync(bundle + "/hosts", *s.hosts_file));
  if (s.hostname_file) BERTH_TRY(runtime::write_file_nosync(bundle + "/hostname", *s.hostname_file));
  if (s.resolv_conf) BERTH_TRY(runtime::write_file_nosync(bundle + "/resolv.conf", *s.resolv_conf));
  return p;
}

Status write_id_maps(pid_t pid, const runtime::ContainerSpec& s) {
  auto fmt = [](const std::vector<runtime::IdMap>& maps) {
    std::string out;
    for (const runtime::IdMap& m : maps)
      out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
    return out;
  };
  std::string proc = "/proc/" + std::to_string(pid);
  for (auto [file, text] : {std::pair{"/uid_map", fmt(s.uid_map)}, std::pair{"/gid_map", fmt(s.gid_map)}}) {
    UniqueFd fd(::open((proc + file).c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) < 0) return base::sys_error("write " + proc + file);
  }
  return {};
}

/// Stdio for the container: (child ends, monitor ends).
struct Stdio {
  UniqueFd child[3];
  UniqueFd out, err, in;  // monitor: read out/err, write in (pty master in out and in)
  std::string console;
};

Result<Stdio> make_stdio(const runtime::ContainerSpec& s) {
  Stdio io;
  if (s.process.terminal) {
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) return base::sys_error("open pty");
    char name[128];
    if (::ptsname_r(master.get(), name, sizeof name) != 0) return base::sys_error("ptsname");
    UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) return base::sys_error(std::string("open ") + name);
    io.console = name;
    for (int i = 0; i < 3; ++i) io.child[i].reset(::dup(slave.get()));
    io.in.reset(::fcntl(master.get(), F_DUPFD_CLOEXEC, 3));
    io.out = std::move(master);
    return io;
  }
  int p[2];
  if (s.process.open_stdin) {
    if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
    io.child[0].reset(p[0]);
    io.in.reset(p[1]);
  } else {
    io.child[0].reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
  io.out.reset(p[0]);
  io.child[1].reset(p[1]);
  if (::pipe2(p, O_CLOEXEC) != 0) return base::sys_error("pipe");
  io.err.reset(p[0]);
  io.child[2].reset(p[1]);
  return io;
}

void report(int fd, const std::string& line) { (void)sys::write_all(fd, line + "\n"); }

void report_error(int fd, const base::Error& e) {
  std::string msg = e.str();
  for (char& c : msg)
    if (c == '\n') c = ' ';
  report(fd, "err " + std::to_string(static_cast<int>(e.code)) + " " + std::to_string(e.sys_errno) + " " + msg);
}

/// The monitor's side of create; on success never returns (becomes the monitor loop).
Status create_and_monitor(Prepared& p, const std::string& bundle, int report_fd) {
  base::Rollback rollback;
  if (::chdir(bundle.c_str()) != 0) return base::sys_error("chdir " + bundle);
  auto listener = sys::listen_unix("shim.sock");
  if (!listener) return listener.take_error();
  rollback.add([] { ::unlink("shim.sock"); });
  trace("monitor forked, socket listening");
  auto cg = ContainerCgroup::create(p.spec.cgroup);
  if (!cg) return cg.take_error();
  rollback.add([cg = *cg]() mutable { cg.destroy(); });
  trace("cgroup created");
  auto io = make_stdio(p.spec);
  if (!io) return io.take_error();
  if (!io->console.empty()) {
    rootfs::MountOp console;
    console.kind = rootfs::MountOp::Kind::Bind;
    console.source = io->console;
    console.target = "/dev/console";
    p.init.plan.before_pivot.push_back(console);
  }
  // The root's mountpoint and the overlay dirs are made here, as host root: the init may run
  // as a remapped root that cannot create them; with a user namespace they belong to its root.
  for (const std::string& d : p.init.plan.upper_dirs) BERTH_TRY(base::make_dirs(d, 0755));
  BERTH_TRY(base::make_dirs(p.init.plan.root_dir, 0755));
  if (p.init.new_user_ns) {
    uid_t uid = 0;
    gid_t gid = 0;
    for (const runtime::IdMap& m : p.spec.uid_map)
      if (m.container_id == 0) uid = m.host_id;
    for (const runtime::IdMap& m : p.spec.gid_map)
      if (m.container_id == 0) gid = m.host_id;
    for (const std::string& d : p.init.plan.upper_dirs)
      if (::chown(d.c_str(), uid, gid) != 0) return base::sys_error("chown " + d);
  }
  auto chans = process::SyncChannel::make_pair();
  if (!chans) return chans.take_error();
  if (!p.join_pid.empty()) BERTH_TRY(sys::setns_path(p.join_pid, CLONE_NEWPID));

  for (int i = 0; i < 3; ++i) p.init.stdio[i] = io->child[i].get();
  p.init.spec = &p.spec;
  p.init.channel = &chans->second;
  // Born in its cgroup: no cgroup.procs write (each waits for an RCU grace period) is left
  // for the shim, unless the kernel lacks CLONE_INTO_CGROUP.
  bool shim_joins = false;
  p.init.cgroup = cg->join_handles();
  auto pid = cg->clone_child(p.clone_flags, &shim_joins);
  if (!pid) return pid.take_error();
  p.init.shim_joins_cgroup = shim_joins;
  if (*pid == 0) {
    chans->first.close();
    ::close(report_fd);
    process::run_init(p.init);
  }
  rollback.add([pid = *pid] {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  });
  chans->second.close();
  for (UniqueFd& fd : io->child) fd.reset();
  trace("cloned");
  auto pidfd = sys::pidfd_open(*pid);
  if (!pidfd) return pidfd.take_error();
  if (p.init.new_user_ns) BERTH_TRY(write_id_maps(*pid, p.spec));
  BERTH_TRY(chans->first.send(process::SyncKind::Go));
  trace("go sent");
  // Fallback: joining the cgroup for the init waits for an RCU grace period (cgroup.procs
  // writes take a percpu rwsem), so it overlaps the init's mount setup. It is done before
  // Ready, so the process is in its cgroup before it can fork or exec; an init that unshares
  // a cgroup namespace waits for Joined.
  Status joined;
  if (shim_joins) {
    joined = cg->add(*pid);
    if (joined && p.init.new_cgroup_ns) joined = chans->first.send(process::SyncKind::Joined);
    trace("cgroup joined");
  }
  if (!joined) {
    // An init that failed meanwhile said why first: that is the error to report.
    pollfd pf{chans->first.fd(), POLLIN, 0};
    if (::poll(&pf, 1, 0) == 1)
      if (Status why = chans->first.expect(process::SyncKind::Ready); !why)
        return why.take_error().wrap("create container " + p.spec.id);
    return joined.take_error();
  }
  Status ready = chans->first.expect(process::SyncKind::Ready);
  trace("init ready");
  if (!ready) return ready.take_error().wrap("create container " + p.spec.id);

  MonitorConfig m;
  m.pid = *pid;
  m.pidfd = pidfd->release();
  m.sync_fd = base::UniqueFd(::dup(chans->first.fd())).release();
  ::fcntl(m.sync_fd, F_SETFD, FD_CLOEXEC);
  m.listen_fd = listener->release();
  m.tty = p.spec.process.terminal;
  m.out_fd = io->out.release();
  m.err_fd = io->err.release();
  m.stdin_fd = io->in.release();
  m.bundle = bundle;
  m.log_path = p.spec.log.path;
  m.log_max_size = p.spec.log.max_size;
  m.log_max_file = p.spec.log.max_file;
  m.oom_file = cg->oom_file();
  m.oom_baseline = m.oom_file.empty() ? 0 : read_oom_kill_count(m.oom_file);
  m.status.status = "created";
  m.status.pid = *pid;
  m.status.shim_pid = ::getpid();
  BERTH_TRY(runtime::write_status(bundle + "/status", m.status));
  rollback.commit();
  report(report_fd, "ok " + std::to_string(::getpid()) + " " + std::to_string(*pid));
  trace("reported");
  ::close(report_fd);
  exec_monitor(std::move(m));
}

}  // namespace

int run_create(const std::string& bundle) {
  auto prepared = prepare(bundle);
  if (!prepared) {
    report_error(1, prepared.error());
    return 1;
  }
  int rp[2];
  if (::pipe2(rp, O_CLOEXEC) != 0) {
    report_error(1, base::sys_error("pipe"));
    return 1;
  }
  pid_t monitor = ::fork();
  if (monitor < 0) {
    report_error(1, base::sys_error("fork shim"));
    return 1;
  }
  if (monitor > 0) {
    ::close(rp[1]);
    auto line = sys::read_line(rp[0]);
    std::string out = line ? *line : "err 5 0 shim exited during create";
    report(1, out);
    return out.rfind("ok ", 0) == 0 ? 0 : 1;
  }
  // The monitor: its own session, no tie to berthd's stdio.
  ::close(rp[0]);
  ::setsid();
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3; ++i) ::dup2(devnull, i);
  ::close(devnull);
  Status st = create_and_monitor(*prepared, bundle, rp[1]);
  report_error(rp[1], st.error());
  ::_exit(1);
}

}  // namespace engine::shim
