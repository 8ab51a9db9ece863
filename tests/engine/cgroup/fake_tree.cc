#include "tests/engine/cgroup/fake_tree.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "engine/base/strings.h"
#include "tests/support/test_util.h"

namespace test::cgroup {

namespace {

const std::vector<std::string> kV1 = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                                      "systemd"};

void v1_files(const std::string& dir, const std::string& ctrl, bool memsw, bool root) {
  test::write_text(dir + "/cgroup.procs", "");
  test::write_text(dir + "/tasks", "");
  if (ctrl == "memory") {
    test::write_text(dir + "/memory.limit_in_bytes", "9223372036854771712\n");
    test::write_text(dir + "/memory.soft_limit_in_bytes", "9223372036854771712\n");
    test::write_text(dir + "/memory.usage_in_bytes", "0\n");
    test::write_text(dir + "/memory.max_usage_in_bytes", "0\n");
    test::write_text(dir + "/memory.stat", "cache 0\nrss 0\ntotal_cache 0\n");
    test::write_text(dir + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    if (memsw) test::write_text(dir + "/memory.memsw.limit_in_bytes", "9223372036854771712\n");
  } else if (ctrl == "cpu") {
    test::write_text(dir + "/cpu.shares", "1024\n");
    test::write_text(dir + "/cpu.cfs_period_us", "100000\n");
    test::write_text(dir + "/cpu.cfs_quota_us", "-1\n");
  } else if (ctrl == "cpuacct") {
    test::write_text(dir + "/cpuacct.usage", "0\n");
    test::write_text(dir + "/cpuacct.stat", "user 0\nsystem 0\n");
    test::write_text(dir + "/cpuacct.usage_percpu", "0 0 \n");
  } else if (ctrl == "cpuset") {
    test::write_text(dir + "/cpuset.cpus", root ? "0-1\n" : "\n");
    test::write_text(dir + "/cpuset.mems", root ? "0\n" : "\n");
  } else if (ctrl == "pids") {
    if (!root) test::write_text(dir + "/pids.max", "max\n");
    test::write_text(dir + "/pids.current", "0\n");
  } else if (ctrl == "devices") {
    test::write_text(dir + "/devices.allow", "");
    test::write_text(dir + "/devices.deny", "");
    test::write_text(dir + "/devices.list", "a *:* rwm\n");
  } else if (ctrl == "freezer") {
    if (!root) test::write_text(dir + "/freezer.state", "THAWED\n");
  }
}

void v2_files(const std::string& dir, const std::string& controllers, bool root) {
  test::write_text(dir + "/cgroup.controllers", controllers + "\n");
  test::write_text(dir + "/cgroup.subtree_control", "\n");
  test::write_text(dir + "/cgroup.procs", "");
  test::write_text(dir + "/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
  if (root) {
    test::write_text(dir + "/cpuset.cpus.effective", "0-1\n");
    return;
  }
  test::write_text(dir + "/cgroup.freeze", "0\n");
  test::write_text(dir + "/cgroup.events", "populated 0\nfrozen 0\n");
  auto has = [&](const char* c) {
    for (const std::string& x : engine::base::split(controllers, ' '))
      if (x == c) return true;
    return false;
  };
  if (has("memory")) {
    test::write_text(dir + "/memory.max", "max\n");
    test::write_text(dir + "/memory.swap.max", "max\n");
    test::write_text(dir + "/memory.low", "0\n");
    test::write_text(dir + "/memory.current", "0\n");
    test::write_text(dir + "/memory.peak", "0\n");
    test::write_text(dir + "/memory.stat", "anon 0\nfile 0\n");
    test::write_text(dir + "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
  }
  if (has("cpu")) {
    test::write_text(dir + "/cpu.max", "max 100000\n");
    test::write_text(dir + "/cpu.weight", "100\n");
  }
  if (has("cpuset")) {
    test::write_text(dir + "/cpuset.cpus", "\n");
    test::write_text(dir + "/cpuset.mems", "\n");
  }
  if (has("pids")) {
    test::write_text(dir + "/pids.max", "max\n");
    test::write_text(dir + "/pids.current", "0\n");
  }
}

}  // namespace

void make_v1_root(const std::string& root, bool hybrid, bool memsw) {
  for (const std::string& c : kV1) v1_files(root + "/" + c, c, memsw, true);
  if (hybrid) {
    test::write_text(root + "/unified/cgroup.controllers", "hugetlb\n");
    test::write_text(root + "/unified/cgroup.procs", "");
  }
}

void make_v1_leaf(const std::string& root, const std::string& rel, bool memsw,
                  const std::vector<std::string>& controllers) {
  for (const std::string& c : controllers.empty() ? kV1 : controllers) {
    std::string dir = root + "/" + c;
    for (const std::string& part : engine::base::split(rel, '/')) {
      dir += "/" + part;
      v1_files(dir, c, memsw, false);
    }
  }
}

void make_v2_root(const std::string& root, const std::string& controllers) { v2_files(root, controllers, true); }

void make_v2_leaf(const std::string& root, const std::string& rel, const std::string& controllers) {
  std::string dir = root;
  for (const std::string& part : engine::base::split(rel, '/')) {
    dir += "/" + part;
    v2_files(dir, controllers, false);
  }
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace test::cgroup
