// cgroup v2 backend: one unified hierarchy; controllers are enabled down the path through
// cgroup.subtree_control.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>

#include "engine/base/scope_exit.h"
#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/cgroup/backends.h"
#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Result;
using engine::base::Status;

namespace {

/// Controllers we enable for a container's cgroup when the parent offers them: exactly the ones
/// Resources and Stats use, so nothing else in the host's tree changes.
constexpr const char* kWanted[] = {"cpu", "cpuset", "memory", "pids"};

std::vector<std::string> controllers_of(const std::string& dir) {
  auto r = read_value(dir, "cgroup.controllers");
  if (!r) return {};
  std::vector<std::string> out;
  for (const std::string& c : engine::base::split(*r, ' '))
    if (!c.empty()) out.push_back(c);
  return out;
}

class V2Manager final : public Manager {
 public:
  V2Manager(std::string root, std::string rel) : root_(std::move(root)), rel_(std::move(rel)), dir_(root_ + "/" + rel_) {}

  /// Enables the wanted controllers in every ancestor's cgroup.subtree_control. A controller the
  /// kernel refuses is left out; update() then names it if a limit needs it.
  void enable_controllers() {
    std::string cur = root_;
    for (const std::string& part : engine::base::split(rel_, '/')) {
      std::vector<std::string> avail = controllers_of(cur);
      for (const char* c : kWanted)
        if (std::find(avail.begin(), avail.end(), c) != avail.end())
          (void)write_value(cur, "cgroup.subtree_control", std::string("+") + c);
      cur += "/" + part;
    }
  }

  void set_made(const std::vector<std::string>& made) {
    for (const std::string& d : made)
      if (d != dir_) made_parents_.push_back(d);
  }

  bool exists() const { return base::is_directory(dir_); }

  Status add_process(pid_t pid) override { return write_value(dir_, "cgroup.procs", std::to_string(pid)); }

  Result<JoinHandles> join_handles() override { return open_join_handles({}, dir_); }

  Status update(const Resources& r) override {
    BERTH_TRY(validate(r));
    if (r.memory_limit || r.memory_swap || r.memory_reservation) {
      BERTH_TRY(need("memory", "set memory limits"));
      BERTH_TRY(apply_memory_v2(dir_, r));
    }
    if (r.cpu_shares || r.cpu_quota_us || r.cpu_period_us) {
      BERTH_TRY(need("cpu", "set cpu limits"));
      BERTH_TRY(apply_cpu_v2(dir_, r));
    }
    if (!r.cpuset_cpus.empty() || !r.cpuset_mems.empty()) {
      BERTH_TRY(need("cpuset", "set cpuset"));
      BERTH_TRY(apply_cpuset(dir_, r));
    }
    if (r.pids_limit) {
      BERTH_TRY(need("pids", "set pids limit"));
      BERTH_TRY(apply_pids(dir_, r));
    }
    if (!r.devices.empty()) BERTH_TRY(apply_devices_v2(dir_, r.devices));
    return {};
  }

  Status freeze() override { return freeze_v2(dir_); }
  Status thaw() override { return thaw_v2(dir_); }

  Result<Stats> stats() override {
    Stats s;
    BERTH_TRY(read_cpu_v2(dir_, &s));
    if (has_file(dir_, "memory.current")) BERTH_TRY(read_memory_v2(dir_, &s));
    if (has_file(dir_, "pids.current")) BERTH_TRY(read_pids(dir_, &s));
    return s;
  }

  Result<bool> oom_killed() override {
    if (!has_file(dir_, "memory.events")) return false;
    auto ev = read_keyed(dir_, "memory.events");
    if (!ev) return ev.take_error();
    auto it = ev->find("oom_kill");
    return it != ev->end() && it->second > 0;
  }

  Result<std::vector<pid_t>> pids() override { return read_procs(dir_); }

  Status kill_all(int sig) override {
    // cgroup.kill (5.14+) kills the whole subtree atomically.
    if (sig == SIGKILL && has_file(dir_, "cgroup.kill")) return write_value(dir_, "cgroup.kill", "1");
    bool was_frozen = frozen_v2(dir_).value_or(false);
    bool froze = !was_frozen && freeze_v2(dir_).ok();
    auto procs = pids();
    if (!procs) return procs.error().sys_errno == ENOENT ? Status{} : Status(procs.take_error());
    Status st = signal_pids(*procs, sig);
    if (froze || (was_frozen && sig == SIGKILL)) BERTH_TRY(thaw_v2(dir_));
    return st;
  }

  Status destroy() override {
    // An empty cgroup (the usual case: the shim reaped the container) needs no freeze/kill round.
    auto left = exists() ? pids() : Result<std::vector<pid_t>>(std::vector<pid_t>{});
    if (!left || !left->empty()) {
      BERTH_TRY(kill_all(SIGKILL));
      BERTH_TRY(wait_empty(dir_));
    }
    return remove_cgroup_paths({dir_}, made_parents_);
  }

  Mode mode() const override { return Mode::V2; }
  std::vector<std::string> paths() const override { return {dir_}; }

 private:
  Status need(const std::string& ctrl, const std::string& what) const {
    std::vector<std::string> have = controllers_of(dir_);
    if (std::find(have.begin(), have.end(), ctrl) != have.end()) return {};
    return engine::base::precondition(what + ": the " + ctrl + " controller is not enabled in " + dir_ +
                                      " (cgroup.controllers: \"" + engine::base::join(have, " ") +
                                      "\")");
  }

  std::string root_, rel_, dir_;
  std::vector<std::string> made_parents_;
};

}  // namespace

Result<std::unique_ptr<Manager>> create_v2(const std::string& root, const std::string& rel, const Resources& r) {
  auto m = std::make_unique<V2Manager>(root, rel);
  std::vector<std::string> made;
  engine::base::Rollback rollback;
  rollback.add([&made] {
    for (auto it = made.rbegin(); it != made.rend(); ++it) (void)remove_cgroup_dir(*it);
  });
  BERTH_TRY(make_cgroup_path(root, rel, &made));
  m->enable_controllers();
  BERTH_TRY(m->update(r));
  m->set_made(made);
  rollback.commit();
  return std::unique_ptr<Manager>(std::move(m));
}

Result<std::unique_ptr<Manager>> open_v2(const std::string& root, const std::string& rel) {
  auto m = std::make_unique<V2Manager>(root, rel);
  if (!m->exists()) return engine::base::not_found("open cgroup " + rel + ": not found under " + root);
  return std::unique_ptr<Manager>(std::move(m));
}

}  // namespace engine::cgroup
