#include "engine/rootfs/plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <map>

#include "engine/base/fs.h"

namespace engine::rootfs {

using Kind = MountOp::Kind;

namespace {

MountOp make_mount(std::string fstype, std::string source, std::string target, unsigned long flags, std::string data) {
  MountOp op;
  op.kind = Kind::Mount;
  op.fstype = std::move(fstype);
  op.source = std::move(source);
  op.target = std::move(target);
  op.flags = flags;
  op.data = std::move(data);
  return op;
}

MountOp make_bind(std::string source, std::string target, bool readonly) {
  MountOp op;
  op.kind = Kind::Bind;
  op.source = std::move(source);
  op.target = std::move(target);
  op.readonly = readonly;
  return op;
}

MountOp make_device(std::string target, unsigned major, unsigned minor) {
  MountOp op;
  op.kind = Kind::Device;
  op.target = std::move(target);
  op.source = op.target;  // host node used when mknod is not allowed
  op.mode = S_IFCHR | 0666;
  op.major = major;
  op.minor = minor;
  return op;
}

MountOp make_symlink(std::string source, std::string target) {
  MountOp op;
  op.kind = Kind::Symlink;
  op.source = std::move(source);
  op.target = std::move(target);
  return op;
}

void add_dev(std::vector<MountOp>& ops, const runtime::ContainerSpec& spec, const PlanOptions& opts) {
  const unsigned long nse = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  ops.push_back(make_mount("tmpfs", "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"));
  ops.push_back(make_mount("devpts", "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
                           opts.user_ns ? "newinstance,ptmxmode=0666,mode=0620"
                                        : "newinstance,ptmxmode=0666,mode=0620,gid=5"));
  ops.push_back(make_mount("tmpfs", "shm", "/dev/shm", nse,
                           "mode=1777,size=" + std::to_string(spec.shm_size > 0 ? spec.shm_size : 65536 * 1024)));
  ops.push_back(make_mount("mqueue", "mqueue", "/dev/mqueue", nse, ""));
  ops.push_back(make_device("/dev/null", 1, 3));
  ops.push_back(make_device("/dev/zero", 1, 5));
  ops.push_back(make_device("/dev/full", 1, 7));
  ops.push_back(make_device("/dev/random", 1, 8));
  ops.push_back(make_device("/dev/urandom", 1, 9));
  ops.push_back(make_device("/dev/tty", 5, 0));
  ops.push_back(make_symlink("pts/ptmx", "/dev/ptmx"));
  ops.push_back(make_symlink("/proc/self/fd", "/dev/fd"));
  ops.push_back(make_symlink("/proc/self/fd/0", "/dev/stdin"));
  ops.push_back(make_symlink("/proc/self/fd/1", "/dev/stdout"));
  ops.push_back(make_symlink("/proc/self/fd/2", "/dev/stderr"));
  ops.push_back(make_symlink("/proc/kcore", "/dev/core"));
  if (!opts.console.empty()) ops.push_back(make_bind(opts.console, "/dev/console", false));
}

}  // namespace

void parse_mount_options(const std::vector<std::string>& options, unsigned long* flags, unsigned long* propagation,
                         std::string* data, bool* readonly, bool* recursive) {
  static const std::map<std::string, unsigned long> flag_words{
      {"nosuid", MS_NOSUID}, {"nodev", MS_NODEV},           {"noexec", MS_NOEXEC},
      {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
      {"strictatime", MS_STRICTATIME}, {"sync", MS_SYNCHRONOUS}};
  static const std::map<std::string, unsigned long> prop_words{
      {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"slave", MS_SLAVE},
      {"rslave", MS_SLAVE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC}};
  for (const std::string& o : options) {
    if (o == "ro" || o == "readonly") {
      *readonly = true;
    } else if (o == "rw") {
      *readonly = false;
    } else if (o == "bind" || o == "rbind") {
      *recursive = o == "rbind";
    } else if (o == "nonrecursive" || o == "bind-nonrecursive") {
      *recursive = false;
    } else if (auto f = flag_words.find(o); f != flag_words.end()) {
      *flags |= f->second;
    } else if (auto p = prop_words.find(o); p != prop_words.end()) {
      *propagation = p->second;
    } else if (o.empty() || o == "z" || o == "Z" || o == "nocopy" || o == "volume-nocopy") {
      // SELinux relabel and volume copy-up hints: nothing to do here.
    } else {
      if (!data->empty()) *data += ',';
      *data += o;
    }
  }
}

base::Result<MountPlan> build_plan(const runtime::ContainerSpec& spec, const PlanOptions& opts) {
  MountPlan plan;
  plan.root_dir = opts.bundle_dir + "/rootfs";
  plan.readonly_root = spec.rootfs.readonly;
  if (!spec.rootfs.lowerdirs.empty()) {
    std::string lower;
    for (const std::string& l : spec.rootfs.lowerdirs) {
      if (!base::path_exists(l)) return base::not_found("rootfs layer " + l + " does not exist");
      if (!lower.empty()) lower += ':';
      lower += l;
    }
    std::string upper = opts.bundle_dir + "/upper", work = opts.bundle_dir + "/work";
    plan.upper_dirs = {upper, work};
    plan.root = make_mount("overlay", "overlay", plan.root_dir, 0,
                           "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
  } else {
    struct stat st;
    if (::stat(spec.rootfs.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return base::not_found("rootfs " + spec.rootfs.path + " does not exist");
    plan.root = make_bind(spec.rootfs.path, plan.root_dir, false);
  }

  std::vector<MountOp>& ops = plan.before_pivot;
  const unsigned long nse = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  ops.push_back(make_mount("proc", "proc", "/proc", nse, ""));
  if (opts.new_net_ns) {
    MountOp sys = make_mount("sysfs", "sysfs", "/sys", nse | MS_RDONLY, "");
    ops.push_back(sys);
  } else {
    // sysfs belongs to the owning net namespace; with the host network, bind the host's read-only.
    ops.push_back(make_bind("/sys", "/sys", true));
  }
  add_dev(ops, spec, opts);
  if (spec.hosts_file) ops.push_back(make_bind(opts.bundle_dir + "/hosts", "/etc/hosts", false));
  if (spec.hostname_file) ops.push_back(make_bind(opts.bundle_dir + "/hostname", "/etc/hostname", false));
  if (spec.resolv_conf) ops.push_back(make_bind(opts.bundle_dir + "/resolv.conf", "/etc/resolv.conf", false));

  for (const runtime::MountSpec& m : spec.mounts) {
    MountOp op;
    parse_mount_options(m.options, &op.flags, &op.propagation, &op.data, &op.readonly, &op.recursive);
    op.target = m.target;
    if (m.type == "tmpfs") {
      op.kind = Kind::Mount;
      op.fstype = "tmpfs";
      op.source = "tmpfs";
      if (op.flags == 0) op.flags = MS_NOSUID | MS_NODEV;
    } else {
      if (!base::path_exists(m.source)) return base::not_found("mount source " + m.source + " does not exist");
      op.kind = Kind::Bind;
      op.source = m.source;
    }
    ops.push_back(std::move(op));
  }

  if (!spec.privileged) {
    for (const std::string& p : spec.masked_paths.value_or(runtime::default_masked_paths())) {
      MountOp op;
      op.kind = Kind::Mask;
      op.target = p;
      plan.after_pivot.push_back(op);
    }
    for (const std::string& p : spec.readonly_paths.value_or(runtime::default_readonly_paths())) {
      MountOp op;
      op.kind = Kind::Readonly;
      op.target = p;
      plan.after_pivot.push_back(op);
    }
  }
  return plan;
}

}  // namespace engine::rootfs
