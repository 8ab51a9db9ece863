#include "engine/cgroup/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/cgroup/backends.h"
#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Result;
using engine::base::Status;

namespace {

constexpr int64_t kMinMemory = 6 * 1024 * 1024;  // Docker's floor; the kernel OOMs below it at once

/// "berth/abc" with no empty, "." or ".." components.
Result<std::string> clean_rel(const std::string& rel) {
  std::vector<std::string> parts;
  for (const std::string& p : engine::base::split(rel, '/')) {
    if (p.empty()) continue;
    if (p == "." || p == "..") return engine::base::invalid("cgroup path \"" + rel + "\" must not contain . or ..");
    parts.push_back(p);
  }
  if (parts.empty()) return engine::base::invalid("cgroup path \"" + rel + "\" is empty");
  return engine::base::join(parts, "/");
}

std::string num(int64_t v) { return std::to_string(v); }

/// The host cpus a cpuset may use, read from the hierarchy root; empty when unknown.
std::string available_cpus(const std::string& root, Mode mode) {
  auto r = mode == Mode::V2 ? read_value(root, "cpuset.cpus.effective") : read_value(root + "/cpuset", "cpuset.cpus");
  return r ? *r : std::string();
}

}  // namespace

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::V1: return "v1";
    case Mode::V2: return "v2";
    case Mode::Hybrid: return "hybrid";
  }
  return "?";
}

Result<Mode> detect_mode(const std::string& root) {
  if (has_file(root, "cgroup.controllers")) return Mode::V2;
  static const char* const kV1[] = {"memory", "cpu", "pids", "freezer", "cpuset", "cpuacct", "blkio", "devices"};
  bool v1 = std::any_of(std::begin(kV1), std::end(kV1), [&](const char* c) { return base::is_directory(root + "/" + c); });
  if (!v1) return engine::base::not_found("detect cgroup layout under " + root + ": no cgroup v1 or v2 hierarchy");
  if (has_file(root + "/unified", "cgroup.controllers")) return Mode::Hybrid;
  return Mode::V1;
}

Status validate(const Resources& r, const std::string& available) {
  auto bad = [](std::string m) { return engine::base::invalid(std::move(m)); };
  if (r.memory_limit < -1) return bad("memory limit " + num(r.memory_limit) + " is negative");
  if (r.memory_limit > 0 && r.memory_limit < kMinMemory)
    return bad("memory limit " + num(r.memory_limit) + " is below the minimum of " + num(kMinMemory) + " bytes (6MiB)");
  if (r.memory_swap < -1) return bad("memory swap " + num(r.memory_swap) + " is negative");
  if (r.memory_swap > 0 && r.memory_limit <= 0)
    return bad("memory swap " + num(r.memory_swap) + " needs a memory limit as well");
  if (r.memory_swap > 0 && r.memory_swap < r.memory_limit)
    return bad("memory swap " + num(r.memory_swap) + " is below the memory limit " + num(r.memory_limit) +
               " (swap counts memory+swap)");
  if (r.memory_reservation < 0) return bad("memory reservation " + num(r.memory_reservation) + " is negative");
  if (r.memory_reservation > 0 && r.memory_limit > 0 && r.memory_reservation > r.memory_limit)
    return bad("memory reservation " + num(r.memory_reservation) + " is above the memory limit " +
               num(r.memory_limit));
  if (r.cpu_quota_us < -1) return bad("cpu quota " + num(r.cpu_quota_us) + "us is negative");
  if (r.cpu_quota_us > 0 && r.cpu_quota_us < 1000)
    return bad("cpu quota " + num(r.cpu_quota_us) + "us is below the minimum of 1000us");
  if (r.cpu_period_us < 0 || (r.cpu_period_us > 0 && (r.cpu_period_us < 1000 || r.cpu_period_us > 1000000)))
    return bad("cpu period " + num(r.cpu_period_us) + "us is outside 1000us..1000000us");
  if (r.cpu_shares < 0) return bad("cpu shares " + num(r.cpu_shares) + " is negative");
  if (r.pids_limit < -1) return bad("pids limit " + num(r.pids_limit) + " is negative");
  if (!r.cpuset_cpus.empty()) {
    auto want = parse_id_list(r.cpuset_cpus, "cpuset cpus");
    if (!want) return want.take_error();
    if (!available.empty()) {
      auto have = parse_id_list(available, "available cpus");
      if (have && !std::includes(have->begin(), have->end(), want->begin(), want->end()))
        return bad("cpuset cpus \"" + r.cpuset_cpus + "\" are not available (available: " + available + ")");
    }
  }
  for (const DeviceRule& d : r.devices) BERTH_TRY(validate_device_rule(d));
  if (!r.cpuset_mems.empty()) {
    auto mems = parse_id_list(r.cpuset_mems, "cpuset mems");
    if (!mems) return mems.take_error();
  }
  return {};
}

Status join_self(const JoinHandles& h) {
  Status st;
  for (const engine::base::UniqueFd& fd : h.v1_tasks)
    if (st.ok() && ::write(fd.get(), "0", 1) != 1) st = engine::base::sys_error("join cgroup (write 0 to tasks)");
  for (const engine::base::UniqueFd& fd : h.v1_tasks) ::close(fd.get());
  if (h.v2_dir) ::close(h.v2_dir.get());
  return st;
}

Result<JoinHandles> open_join_handles(const std::vector<std::string>& v1_leaves, const std::string& v2_leaf) {
  JoinHandles h;
  for (const std::string& leaf : v1_leaves) {
    engine::base::UniqueFd fd(::open((leaf + "/tasks").c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return engine::base::sys_error("open " + leaf + "/tasks");
    h.v1_tasks.push_back(std::move(fd));
  }
  if (!v2_leaf.empty()) {
    h.v2_dir.reset(::open(v2_leaf.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!h.v2_dir) return engine::base::sys_error("open " + v2_leaf);
  }
  return h;
}

Result<std::unique_ptr<Manager>> Manager::create(const std::string& rel_path, const Resources& r,
                                                 const std::string& root) {
  auto mode = detect_mode(root);
  if (!mode) return mode.take_error();
  auto rel = clean_rel(rel_path);
  if (!rel) return rel.take_error();
  BERTH_TRY(validate(r, r.cpuset_cpus.empty() ? std::string() : available_cpus(root, *mode)));
  auto m = *mode == Mode::V2 ? create_v2(root, *rel, r) : create_v1(root, *rel, r, *mode == Mode::Hybrid);
  if (!m) return m.take_error().wrap("create cgroup " + *rel);
  return m;
}

Result<std::unique_ptr<Manager>> Manager::open(const std::string& rel_path, const std::string& root) {
  auto mode = detect_mode(root);
  if (!mode) return mode.take_error();
  auto rel = clean_rel(rel_path);
  if (!rel) return rel.take_error();
  return *mode == Mode::V2 ? open_v2(root, *rel) : open_v1(root, *rel, *mode == Mode::Hybrid);
}

Status make_cgroup_path(const std::string& hierarchy, const std::string& rel, std::vector<std::string>* made) {
  // A shared parent ("berth/") can vanish between our mkdir calls when another container's
  // destroy removes it while empty: start again from the top then.
  for (int attempt = 0;; ++attempt) {
    std::string cur = hierarchy;
    int err = 0;
    for (const std::string& part : engine::base::split(rel, '/')) {
      cur += "/" + part;
      if (::mkdir(cur.c_str(), 0755) == 0) {
        made->push_back(cur);
      } else if (errno != EEXIST) {
        err = errno;
        break;
      }
    }
    if (err == 0) return {};
    if (err != ENOENT || attempt >= 3) return engine::base::sys_error("mkdir " + cur, err);
  }
}

Status remove_cgroup_paths(const std::vector<std::string>& leaves, const std::vector<std::string>& made_parents) {
  Status first;
  for (const std::string& leaf : leaves) {
    Status st = remove_cgroup_dir(leaf);
    if (!st && first.ok()) first = std::move(st);
  }
  // Parents like "berth/" are shared with other containers: only an empty one goes.
  for (auto it = made_parents.rbegin(); it != made_parents.rend(); ++it) (void)::rmdir(it->c_str());
  return first;
}

Status signal_pids(const std::vector<pid_t>& pids, int sig) {
  for (pid_t p : pids)
    if (p > 0 && ::kill(p, sig) != 0 && errno != ESRCH)
      return engine::base::sys_error("kill " + std::to_string(p));
  return {};
}

Status wait_empty(const std::string& dir) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto procs = read_procs(dir);
    if (!procs) return procs.error().sys_errno == ENOENT ? Status{} : Status(procs.take_error());
    if (procs->empty()) return {};
    if (std::chrono::steady_clock::now() > deadline)
      return engine::base::make_error(engine::base::Code::Unavailable,
                                      "wait for " + dir + " to empty: " + std::to_string(procs->size()) +
                                          " processes left");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace engine::cgroup
