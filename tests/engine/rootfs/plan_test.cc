#include "engine/rootfs/plan.h"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include "tests/support/test_util.h"

using engine::rootfs::MountOp;

namespace {

engine::runtime::ContainerSpec spec_with_root(const std::string& root) {
  engine::runtime::ContainerSpec s;
  s.id = "c1";
  s.rootfs.path = root;
  s.process.args = {"/bin/true"};
  return s;
}

const MountOp* find(const std::vector<MountOp>& ops, const std::string& target) {
  for (const MountOp& op : ops)
    if (op.target == target) return &op;
  return nullptr;
}

}  // namespace

TEST_CASE("rootfs: plain rootfs is bound, /proc, /sys, /dev and friends are planned") {
  test::TempDir d;
  auto s = spec_with_root(d.path());
  s.shm_size = 1 << 20;
  engine::rootfs::PlanOptions o;
  o.bundle_dir = "/b";
  auto plan = engine::rootfs::build_plan(s, o);
  REQUIRE(plan.ok());
  CHECK(plan->root_dir == "/b/rootfs");
  CHECK(plan->root.kind == MountOp::Kind::Bind);
  CHECK(plan->root.source == d.path());
  const MountOp* proc = find(plan->before_pivot, "/proc");
  REQUIRE(proc);
  CHECK(proc->fstype == "proc");
  const MountOp* sys = find(plan->before_pivot, "/sys");
  REQUIRE(sys);
  CHECK(sys->kind == MountOp::Kind::Mount);
  CHECK((sys->flags & MS_RDONLY) != 0);
  CHECK(find(plan->before_pivot, "/dev/shm")->data == "mode=1777,size=1048576");
  CHECK(find(plan->before_pivot, "/dev/pts")->data == "newinstance,ptmxmode=0666,mode=0620,gid=5");
  CHECK(find(plan->before_pivot, "/dev/ptmx")->source == "pts/ptmx");
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"})
    CHECK(find(plan->before_pivot, dev)->kind == MountOp::Kind::Device);
  CHECK(find(plan->after_pivot, "/proc/kcore")->kind == MountOp::Kind::Mask);
  CHECK(find(plan->after_pivot, "/proc/sys")->kind == MountOp::Kind::Readonly);
  CHECK(find(plan->before_pivot, "/etc/hosts") == nullptr);
}

TEST_CASE("rootfs: host network binds /sys, privileged has no masks, etc files are bound from the bundle") {
  test::TempDir d;
  auto s = spec_with_root(d.path());
  s.privileged = true;
  s.hosts_file = "127.0.0.1 localhost\n";
  s.resolv_conf = "nameserver 1.1.1.1\n";
  engine::rootfs::PlanOptions o;
  o.bundle_dir = "/b";
  o.new_net_ns = false;
  auto plan = engine::rootfs::build_plan(s, o);
  REQUIRE(plan.ok());
  CHECK(find(plan->before_pivot, "/sys")->kind == MountOp::Kind::Bind);
  CHECK(plan->after_pivot.empty());
  CHECK(find(plan->before_pivot, "/etc/hosts")->source == "/b/hosts");
  CHECK(find(plan->before_pivot, "/etc/resolv.conf")->source == "/b/resolv.conf");
  CHECK(find(plan->before_pivot, "/etc/hostname") == nullptr);
}

TEST_CASE("rootfs: overlay of layers (top first) with upper/work in the bundle") {
  test::TempDir d;
  test::write_text(d / "l1/x", "");
  test::write_text(d / "l2/y", "");
  auto s = spec_with_root("");
  s.rootfs.lowerdirs = {d / "l2", d / "l1"};
  s.rootfs.readonly = true;
  engine::rootfs::PlanOptions o;
  o.bundle_dir = "/b";
  auto plan = engine::rootfs::build_plan(s, o);
  REQUIRE(plan.ok());
  CHECK(plan->root.fstype == "overlay");
  CHECK(plan->root.data == "lowerdir=" + (d / "l2") + ":" + (d / "l1") + ",upperdir=/b/upper,workdir=/b/work");
  CHECK(plan->upper_dirs == std::vector<std::string>{"/b/upper", "/b/work"});
  CHECK(plan->readonly_root);
}

TEST_CASE("rootfs: a missing rootfs, layer or bind source fails the plan") {
  test::TempDir d;
  engine::rootfs::PlanOptions o;
  o.bundle_dir = "/b";
  auto missing = engine::rootfs::build_plan(spec_with_root(d / "nope"), o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "rootfs " + (d / "nope") + " does not exist");
  auto s = spec_with_root("");
  s.rootfs.lowerdirs = {d / "gone"};
  CHECK(engine::rootfs::build_plan(s, o).error().message == "rootfs layer " + (d / "gone") + " does not exist");
  auto b = spec_with_root(d.path());
  b.mounts.push_back({"bind", d / "absent", "/data", {}});
  CHECK(engine::rootfs::build_plan(b, o).error().message == "mount source " + (d / "absent") + " does not exist");
}

TEST_CASE("rootfs: mount options split into flags, propagation, read-only and data") {
  unsigned long flags = 0, prop = 0;
  std::string data;
  bool ro = false, rec = true;
  engine::rootfs::parse_mount_options({"ro", "nosuid", "rslave", "size=64m", "mode=1777", "bind", "z"}, &flags, &prop,
                                      &data, &ro, &rec);
  CHECK(ro);
  CHECK_FALSE(rec);
  CHECK(flags == MS_NOSUID);
  CHECK(prop == (MS_SLAVE | MS_REC));
  CHECK(data == "size=64m,mode=1777");
}
