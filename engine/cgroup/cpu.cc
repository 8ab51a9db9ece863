#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;

uint64_t shares_to_weight(int64_t shares) {
  if (shares == 0) return 0;
  int64_t s = std::clamp<int64_t>(shares, 2, 262144);
  return static_cast<uint64_t>(1 + ((s - 2) * 9999) / 262142);
}

Status apply_cpu_v1(const std::string& dir, const Resources& r) {
  if (r.cpu_shares != 0) BERTH_TRY(write_value(dir, "cpu.shares", std::to_string(r.cpu_shares)));
  // Period before quota: the kernel checks the quota against the period in force.
  if (r.cpu_period_us != 0) BERTH_TRY(write_value(dir, "cpu.cfs_period_us", std::to_string(r.cpu_period_us)));
  if (r.cpu_quota_us != 0) BERTH_TRY(write_value(dir, "cpu.cfs_quota_us", std::to_string(r.cpu_quota_us)));
  return {};
}

Status apply_cpu_v2(const std::string& dir, const Resources& r) {
  if (r.cpu_shares != 0) BERTH_TRY(write_value(dir, "cpu.weight", std::to_string(shares_to_weight(r.cpu_shares))));
  if (r.cpu_quota_us != 0 || r.cpu_period_us != 0) {
    std::string value = r.cpu_quota_us > 0 ? std::to_string(r.cpu_quota_us) : "max";
    if (r.cpu_period_us != 0) value += " " + std::to_string(r.cpu_period_us);
    BERTH_TRY(write_value(dir, "cpu.max", value));
  }
  return {};
}

Status read_cpu_v1(const std::string& cpuacct_dir, Stats* s) {
  auto total = read_u64(cpuacct_dir, "cpuacct.usage");
  if (!total) return total.take_error();
  s->cpu_total_ns = *total;
  // cpuacct.stat counts USER_HZ ticks.
  if (auto st = read_keyed(cpuacct_dir, "cpuacct.stat")) {
    long hz = ::sysconf(_SC_CLK_TCK);
    uint64_t ns_per_tick = hz > 0 ? 1000000000ull / static_cast<uint64_t>(hz) : 10000000ull;
    if (auto it = st->find("user"); it != st->end()) s->cpu_user_ns = it->second * ns_per_tick;
    if (auto it = st->find("system"); it != st->end()) s->cpu_system_ns = it->second * ns_per_tick;
  }
  if (auto per = read_value(cpuacct_dir, "cpuacct.usage_percpu")) {
    std::istringstream in(*per);
    uint64_t v = 0;
    s->cpu_percpu_ns.clear();
    while (in >> v) s->cpu_percpu_ns.push_back(v);
  }
  return {};
}

Status read_cpu_v2(const std::string& dir, Stats* s) {
  auto st = read_keyed(dir, "cpu.stat");
  if (!st) return st.take_error();
  auto get = [&](const char* k) -> uint64_t {
    auto it = st->find(k);
    return it == st->end() ? 0 : it->second * 1000;
  };
  s->cpu_total_ns = get("usage_usec");
  s->cpu_user_ns = get("user_usec");
  s->cpu_system_ns = get("system_usec");
  return {};
}

}  // namespace engine::cgroup
