#include <string>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;

static std::string bytes(int64_t v) { return v == -1 ? "-1" : std::to_string(v); }

/// Asking for swap (memory+swap above memory) cannot be honoured without swap accounting.
static Status swap_unsupported(const std::string& dir, const std::string& file, const Resources& r) {
  return engine::base::precondition("memory swap " + std::to_string(r.memory_swap) + " (memory " +
                                    std::to_string(r.memory_limit) +
                                    ") needs swap accounting, which this kernel lacks (" + dir + "/" + file +
                                    " is absent)");
}

Status apply_memory_v1(const std::string& dir, const Resources& r) {
  const bool memsw = has_file(dir, "memory.memsw.limit_in_bytes");
  int64_t swap = r.memory_swap;
  if (!memsw) {
    if (swap > 0 && swap > r.memory_limit) return swap_unsupported(dir, "memory.memsw.limit_in_bytes", r);
    swap = 0;  // -1 or == memory: nothing to enforce without accounting
  }
  if (r.memory_limit > 0 && swap == 0 && memsw) {
    // The kernel keeps memory <= memory+swap; say so instead of a bare EINVAL.
    auto cur_sw = read_u64(dir, "memory.memsw.limit_in_bytes");
    if (!cur_sw) return cur_sw.take_error();
    if (static_cast<uint64_t>(r.memory_limit) > *cur_sw)
      return engine::base::invalid("memory limit " + std::to_string(r.memory_limit) +
                                   " is above the current memory+swap limit " + std::to_string(*cur_sw) +
                                   "; update memory swap with it");
  }
  // memory.limit_in_bytes must stay <= memory.memsw.limit_in_bytes at every step, so raise
  // the swap limit first when it grows (runc's order).
  if (r.memory_limit != 0 && swap != 0) {
    auto cur = read_u64(dir, "memory.limit_in_bytes");
    if (!cur) return cur.take_error();
    if (swap == -1 || *cur < static_cast<uint64_t>(swap)) {
      BERTH_TRY(write_value(dir, "memory.memsw.limit_in_bytes", bytes(swap)));
      BERTH_TRY(write_value(dir, "memory.limit_in_bytes", bytes(r.memory_limit)));
      swap = 0;
    }
  }
  if (r.memory_limit != 0) BERTH_TRY(write_value(dir, "memory.limit_in_bytes", bytes(r.memory_limit)));
  if (swap != 0) BERTH_TRY(write_value(dir, "memory.memsw.limit_in_bytes", bytes(swap)));
  if (r.memory_reservation != 0)
    BERTH_TRY(write_value(dir, "memory.soft_limit_in_bytes", bytes(r.memory_reservation)));
  return {};
}

Status apply_memory_v2(const std::string& dir, const Resources& r) {
  if (r.memory_limit != 0)
    BERTH_TRY(write_value(dir, "memory.max", r.memory_limit == -1 ? "max" : std::to_string(r.memory_limit)));
  if (r.memory_swap != 0) {
    // v2 limits swap alone: memory.swap.max = (memory+swap) - memory.
    std::string value = "max";
    if (r.memory_swap > 0) value = std::to_string(r.memory_swap - (r.memory_limit > 0 ? r.memory_limit : 0));
    if (!has_file(dir, "memory.swap.max")) {
      if (r.memory_swap > 0 && r.memory_swap > r.memory_limit) return swap_unsupported(dir, "memory.swap.max", r);
    } else {
      BERTH_TRY(write_value(dir, "memory.swap.max", value));
    }
  }
  if (r.memory_reservation != 0) BERTH_TRY(write_value(dir, "memory.low", std::to_string(r.memory_reservation)));
  return {};
}

/// v1 reports "unlimited" as a huge page-aligned number; normalise it to 0.
static uint64_t limit_or_zero(uint64_t v) { return v >= (uint64_t{1} << 62) ? 0 : v; }

Status read_memory_v1(const std::string& dir, Stats* s) {
  auto usage = read_u64(dir, "memory.usage_in_bytes");
  if (!usage) return usage.take_error();
  s->memory_usage = *usage;
  if (auto v = read_u64(dir, "memory.limit_in_bytes")) s->memory_limit = limit_or_zero(*v);
  if (auto v = read_u64(dir, "memory.max_usage_in_bytes")) s->memory_max_usage = *v;
  if (auto st = read_keyed(dir, "memory.stat")) {
    auto it = st->find("total_cache");
    if (it == st->end()) it = st->find("cache");
    if (it != st->end()) s->memory_cache = it->second;
    s->memory_stat = std::move(*st);
  }
  if (auto oc = read_keyed(dir, "memory.oom_control")) {
    auto it = oc->find("oom_kill");
    if (it != oc->end()) s->oom_kills = it->second;
  }
  return {};
}

Status read_memory_v2(const std::string& dir, Stats* s) {
  auto usage = read_u64(dir, "memory.current");
  if (!usage) return usage.take_error();
  s->memory_usage = *usage;
  if (auto v = read_u64(dir, "memory.max")) s->memory_limit = *v;
  if (auto v = read_u64(dir, "memory.peak")) s->memory_max_usage = *v;
  if (auto st = read_keyed(dir, "memory.stat")) {
    auto it = st->find("file");
    if (it != st->end()) s->memory_cache = it->second;
    s->memory_stat = std::move(*st);
  }
  if (auto ev = read_keyed(dir, "memory.events")) {
    auto it = ev->find("oom_kill");
    if (it != ev->end()) s->oom_kills = it->second;
  }
  return {};
}

}  // namespace engine::cgroup
