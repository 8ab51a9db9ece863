#include "engine/container/update.h"

#include "engine/container/manager_impl.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

namespace {

int64_t num(const json& j, const char* f) { return j.contains(f) && j[f].is_number() ? j[f].get<int64_t>() : 0; }

/// The integer field f of body, 0 when absent or null; InvalidArgument for another type.
Result<int64_t> body_int(const json& body, const char* f) {
  if (!body.contains(f) || body[f].is_null()) return int64_t{0};
  if (!body[f].is_number_integer()) return invalid(std::string("invalid type for field ") + f + ": expected number");
  return body[f].get<int64_t>();
}

}  // namespace

Result<cgroup::Resources> resources_from_host_config(const json& hc) {
  cgroup::Resources r;
  r.memory_limit = num(hc, "Memory");
  r.memory_swap = num(hc, "MemorySwap");
  r.memory_reservation = num(hc, "MemoryReservation");
  r.cpu_shares = num(hc, "CpuShares");
  r.cpu_period_us = num(hc, "CpuPeriod");
  r.cpu_quota_us = num(hc, "CpuQuota");
  if (int64_t nano = num(hc, "NanoCpus"); nano > 0) {
    if (r.cpu_quota_us > 0) return invalid("conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
    r.cpu_period_us = 100000;
    r.cpu_quota_us = nano * 100000 / 1000000000;
    if (r.cpu_quota_us < 1000) r.cpu_quota_us = 1000;
  }
  r.cpuset_cpus = hc.value("CpusetCpus", "");
  r.cpuset_mems = hc.value("CpusetMems", "");
  if (hc.contains("PidsLimit") && hc["PidsLimit"].is_number()) r.pids_limit = hc["PidsLimit"].get<int64_t>();
  return r;
}

Result<json> merge_update(const json& host_config, const json& body) {
  if (!body.is_object()) return invalid("update body must be a JSON object");
  json hc = host_config.is_object() ? host_config : json::object();
  for (const char* f : {"Memory", "MemorySwap", "MemoryReservation", "CpuShares", "CpuPeriod", "CpuQuota", "NanoCpus"}) {
    auto v = body_int(body, f);
    if (!v) return v.take_error();
    if (*v != 0) hc[f] = *v;
  }
  if (num(body, "Memory") < 0) return invalid("invalid memory limit: must be positive");
  if (num(body, "NanoCpus") < 0) return invalid("invalid CPU value: must be positive");
  if (num(body, "CpuShares") < 0) return invalid("invalid CPU shares: must be positive");
  // NanoCpus and CpuQuota/CpuPeriod are two spellings of one limit: the newer one wins.
  if (num(body, "NanoCpus") > 0) {
    if (num(body, "CpuQuota") > 0 || num(body, "CpuPeriod") > 0)
      return invalid("conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
    hc["CpuQuota"] = 0;
    hc["CpuPeriod"] = 0;
  } else if (num(body, "CpuQuota") != 0 || num(body, "CpuPeriod") != 0) {
    hc["NanoCpus"] = 0;
  }
  for (const char* f : {"CpusetCpus", "CpusetMems"}) {
    if (!body.contains(f) || body[f].is_null()) continue;
    if (!body[f].is_string()) return invalid(std::string("invalid type for field ") + f + ": expected string");
    if (!body[f].get<std::string>().empty()) hc[f] = body[f];
  }
  if (body.contains("PidsLimit") && !body["PidsLimit"].is_null()) {
    if (!body["PidsLimit"].is_number_integer()) return invalid("invalid type for field PidsLimit: expected number");
    int64_t p = body["PidsLimit"].get<int64_t>();
    hc["PidsLimit"] = p <= 0 ? int64_t{-1} : p;  // -1 also lifts a live limit
    if (p < -1) return invalid("invalid PIDs limit: " + std::to_string(p));
  }
  if (body.contains("RestartPolicy") && body["RestartPolicy"].is_object()) {
    const json& rp = body["RestartPolicy"];
    std::string name = rp.value("Name", "");
    int retries = rp.contains("MaximumRetryCount") && rp["MaximumRetryCount"].is_number_integer()
                      ? rp["MaximumRetryCount"].get<int>()
                      : 0;
    if (!name.empty()) {
      if (name != "no" && name != "always" && name != "on-failure" && name != "unless-stopped")
        return invalid("invalid restart policy '" + name + "'");
      if (name != "on-failure" && retries != 0)
        return invalid("maximum retry count cannot be used with restart policy '" + name + "'");
      if (retries < 0) return invalid("maximum retry count cannot be negative");
      if (hc.value("AutoRemove", false) && name != "no")
        return invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
      hc["RestartPolicy"] = {{"Name", name}, {"MaximumRetryCount", retries}};
    }
  }
  auto r = resources_from_host_config(hc);
  if (!r) return r.take_error();
  BERTH_TRY(cgroup::validate(*r));
  return hc;
}

Result<std::vector<std::string>> Manager::update(const std::string& ref, const json& body) {
  auto found = impl_->lookup(ref);
  if (!found) return found.take_error();
  std::shared_ptr<Entry> e = *found;
  std::lock_guard op(e->op);
  Container c;
  {
    std::lock_guard lock(impl_->mu);
    c = e->c;
  }
  auto hc = merge_update(c.host_config, body);
  if (!hc) return hc.take_error().wrap("Cannot update container " + c.id.substr(0, 12));
  if (c.is_running()) {
    // Why live: docker update changes the limits of the processes that run now.
    auto r = resources_from_host_config(*hc);
    if (!r) return r.take_error();
    auto cg = cgroup::Manager::open("berth/" + c.id);
    if (!cg) return cg.take_error().wrap("Cannot update container " + c.id.substr(0, 12));
    if (auto st = (*cg)->update(*r); !st)
      return st.take_error().wrap("Cannot update container " + c.id.substr(0, 12));
  }
  {
    std::lock_guard lock(impl_->mu);
    e->c.host_config = *hc;
    impl_->persist(e->c);
    impl_->emit(e->c, "update");
  }
  return std::vector<std::string>{};
}

}  // namespace engine::container
