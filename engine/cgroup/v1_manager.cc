// cgroup v1 backend (and hybrid: v1 controllers plus the unified cgroup2 directory).
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "engine/cgroup/backends.h"
#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Result;
using engine::base::Status;

namespace {

/// Every v1 hierarchy a container joins, as runc does (name=systemd is mounted as "systemd").
constexpr const char* kControllers[] = {"blkio",  "cpu",     "cpuacct",    "cpuset", "devices", "freezer", "hugetlb",
                                        "memory", "net_cls", "net_prio",   "perf_event", "pids", "rdma", "misc",
                                        "systemd"};

class V1Manager final : public Manager {
 public:
  V1Manager(std::string root, std::string rel, bool hybrid) : root_(std::move(root)), rel_(std::move(rel)), hybrid_(hybrid) {
    // cpu and cpuacct are often one mount reached through symlinks: join each mount once.
    std::set<std::string> seen;
    for (const char* c : kControllers) {
      std::string h = root_ + "/" + c;
      if (!base::is_directory(h)) continue;
      dirs_[c] = h + "/" + rel_;
      char real[PATH_MAX];
      std::string key = ::realpath(h.c_str(), real) ? real : h;
      if (seen.insert(key).second) hierarchies_.push_back(h);
    }
    for (const std::string& h : hierarchies_) leaves_.push_back(h + "/" + rel_);
    if (hybrid_) leaves_.push_back(root_ + "/unified/" + rel_);
  }

  /// Makes every directory; on failure the caller's Rollback removes what was made.
  Status make_dirs(std::vector<std::string>* made) {
    if (hierarchies_.empty()) return engine::base::not_found("no cgroup v1 controller mounted under " + root_);
    for (const std::string& h : hierarchies_) BERTH_TRY(make_cgroup_path(h, rel_, made));
    if (hybrid_) BERTH_TRY(make_cgroup_path(root_ + "/unified", rel_, made));
    // The kernel refuses tasks in a cpuset without cpus and mems.
    if (dirs_.count("cpuset")) BERTH_TRY(init_cpuset_v1(root_ + "/cpuset", rel_));
    return {};
  }

  void set_made(const std::vector<std::string>& made) {
    for (const std::string& d : made)
      if (std::find(leaves_.begin(), leaves_.end(), d) == leaves_.end()) made_parents_.push_back(d);
  }

  bool exists() const {
    return std::any_of(leaves_.begin(), leaves_.end(), [](const std::string& l) { return base::is_directory(l); });
  }

  Status add_process(pid_t pid) override {
    for (const std::string& leaf : leaves_) BERTH_TRY(write_value(leaf, "cgroup.procs", std::to_string(pid)));
    return {};
  }

  Result<JoinHandles> join_handles() override {
    std::vector<std::string> v1(leaves_.begin(), leaves_.end() - (hybrid_ ? 1 : 0));
    return open_join_handles(v1, hybrid_ ? leaves_.back() : std::string());
  }

  Status update(const Resources& r) override {
    BERTH_TRY(validate(r));
    if (r.memory_limit || r.memory_swap || r.memory_reservation) {
      auto d = need("memory", "set memory limits");
      if (!d) return d.take_error();
      BERTH_TRY(apply_memory_v1(*d, r));
    }
    if (r.cpu_shares || r.cpu_quota_us || r.cpu_period_us) {
      auto d = need("cpu", "set cpu limits");
      if (!d) return d.take_error();
      BERTH_TRY(apply_cpu_v1(*d, r));
    }
    if (!r.cpuset_cpus.empty() || !r.cpuset_mems.empty()) {
      auto d = need("cpuset", "set cpuset");
      if (!d) return d.take_error();
      BERTH_TRY(apply_cpuset(*d, r));
    }
    if (r.pids_limit) {
      auto d = need("pids", "set pids limit");
      if (!d) return d.take_error();
      BERTH_TRY(apply_pids(*d, r));
    }
    if (!r.devices.empty()) {
      auto d = need("devices", "set device rules");
      if (!d) return d.take_error();
      BERTH_TRY(apply_devices_v1(*d, r.devices));
    }
    return {};
  }

  Status freeze() override {
    auto d = need("freezer", "freeze " + rel_);
    return d ? freeze_v1(*d) : Status(d.take_error());
  }
  Status thaw() override {
    auto d = need("freezer", "thaw " + rel_);
    return d ? thaw_v1(*d) : Status(d.take_error());
  }

  Result<Stats> stats() override {
    Stats s;
    if (auto d = dir("cpuacct"); !d.empty()) BERTH_TRY(read_cpu_v1(d, &s));
    if (auto d = dir("memory"); !d.empty()) BERTH_TRY(read_memory_v1(d, &s));
    if (auto d = dir("pids"); !d.empty()) BERTH_TRY(read_pids(d, &s));
    return s;
  }

  Result<bool> oom_killed() override {
    std::string d = dir("memory");
    if (d.empty()) return false;
    auto oc = read_keyed(d, "memory.oom_control");
    if (!oc) return oc.take_error();
    auto it = oc->find("oom_kill");
    return it != oc->end() && it->second > 0;
  }

  Result<std::vector<pid_t>> pids() override { return read_procs(main_dir()); }

  Status kill_all(int sig) override {
    std::string fz = dir("freezer");
    // Freeze while signalling so no task escapes by forking; restore a user's pause afterwards
    // unless the signal is SIGKILL (frozen tasks only die once thawed).
    bool was_frozen = !fz.empty() && frozen_v1(fz).value_or(false);
    bool froze = !fz.empty() && !was_frozen && freeze_v1(fz).ok();
    auto procs = pids();
    if (!procs) return procs.error().sys_errno == ENOENT ? Status{} : Status(procs.take_error());
    Status st = signal_pids(*procs, sig);
    if (froze || (was_frozen && sig == SIGKILL)) BERTH_TRY(thaw_v1(fz));
    return st;
  }

  Status destroy() override {
    // An empty cgroup (the usual case: the shim reaped the container) needs no freeze/kill round.
    auto left = exists() ? pids() : Result<std::vector<pid_t>>(std::vector<pid_t>{});
    if (!left || !left->empty()) {
      BERTH_TRY(kill_all(SIGKILL));
      BERTH_TRY(wait_empty(main_dir()));
    }
    return remove_cgroup_paths(leaves_, made_parents_);
  }

  Mode mode() const override { return hybrid_ ? Mode::Hybrid : Mode::V1; }
  std::vector<std::string> paths() const override { return leaves_; }

 private:
  std::string dir(const std::string& ctrl) const {
    auto it = dirs_.find(ctrl);
    return it == dirs_.end() ? std::string() : it->second;
  }
  /// Leaf directory of a controller, or an error naming what needed it.
  Result<std::string> need(const std::string& ctrl, const std::string& what) const {
    std::string d = dir(ctrl);
    if (d.empty())
      return engine::base::precondition(what + ": the " + ctrl + " controller is not mounted under " + root_);
    return d;
  }
  /// Where cgroup.procs is read: a hierarchy every task is in.
  std::string main_dir() const {
    for (const char* c : {"pids", "freezer", "memory", "cpu"})
      if (auto d = dir(c); !d.empty()) return d;
    return leaves_.empty() ? std::string() : leaves_.front();
  }

  std::string root_, rel_;
  bool hybrid_;
  std::map<std::string, std::string> dirs_;  // controller -> leaf
  std::vector<std::string> hierarchies_;     // distinct mounts
  std::vector<std::string> leaves_;          // one per distinct mount (+ unified)
  std::vector<std::string> made_parents_;    // parents this manager created
};

}  // namespace

Result<std::unique_ptr<Manager>> create_v1(const std::string& root, const std::string& rel, const Resources& r,
                                           bool hybrid) {
  auto m = std::make_unique<V1Manager>(root, rel, hybrid);
  std::vector<std::string> made;
  engine::base::Rollback rollback;
  rollback.add([&made] {
    for (auto it = made.rbegin(); it != made.rend(); ++it) (void)remove_cgroup_dir(*it);
  });
  BERTH_TRY(m->make_dirs(&made));
  BERTH_TRY(m->update(r));
  m->set_made(made);
  rollback.commit();
  return std::unique_ptr<Manager>(std::move(m));
}

Result<std::unique_ptr<Manager>> open_v1(const std::string& root, const std::string& rel, bool hybrid) {
  auto m = std::make_unique<V1Manager>(root, rel, hybrid);
  if (!m->exists()) return engine::base::not_found("open cgroup " + rel + ": not found under " + root);
  return std::unique_ptr<Manager>(std::move(m));
}

}  // namespace engine::cgroup
