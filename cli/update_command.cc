// berth update: change the resources and restart policy of containers, live.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/container_flags.h"
#include "cli/extra_commands.h"

namespace cli {

namespace {

struct UpdateFlags {
  ContainerFlags limits;  ///< memory, memory_swap, cpus, cpu_shares, pids_limit, restart
  std::string memory_reservation, cpuset_cpus, cpuset_mems;
  long long cpu_period = 0, cpu_quota = 0;
  std::vector<std::string> containers;
};

/// The POST /containers/{id}/update body, parsed with run's own flag rules.
nlohmann::json update_body(const UpdateFlags& f) {
  ContainerFlags cf = f.limits;
  cf.command = {"-"};  // create_body wants an image; only its HostConfig is used
  if (!f.memory_reservation.empty()) {
    // --memory-reservation takes run's size syntax: borrow --shm-size's parser.
    cf.shm_size = f.memory_reservation;
  }
  auto body = create_body(cf);
  if (!body) fail(body.error().message, 1);
  const nlohmann::json& hc = (*body)["HostConfig"];
  nlohmann::json out = nlohmann::json::object();
  for (const char* k : {"Memory", "MemorySwap", "NanoCpus", "CpuShares", "PidsLimit", "RestartPolicy"})
    if (hc.contains(k)) out[k] = hc[k];
  if (!f.memory_reservation.empty()) out["MemoryReservation"] = hc["ShmSize"];
  if (f.cpu_period) out["CpuPeriod"] = f.cpu_period;
  if (f.cpu_quota) out["CpuQuota"] = f.cpu_quota;
  if (!f.cpuset_cpus.empty()) out["CpusetCpus"] = f.cpuset_cpus;
  if (!f.cpuset_mems.empty()) out["CpusetMems"] = f.cpuset_mems;
  if (out.empty()) fail("you must provide one or more flags when using this command", 1);
  return out;
}

}  // namespace

void register_update_command(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<UpdateFlags>();
  auto* cmd = app.add_subcommand("update", "Update configuration of one or more containers");
  cmd->add_option("containers", f->containers, "Containers")->required();
  cmd->add_option("-m,--memory", f->limits.memory, "Memory limit (e.g. 512m, 1g)");
  cmd->add_option("--memory-swap", f->limits.memory_swap, "Swap limit equal to memory plus swap: -1 for unlimited");
  cmd->add_option("--memory-reservation", f->memory_reservation, "Memory soft limit");
  cmd->add_option("--cpus", f->limits.cpus, "Number of CPUs");
  cmd->add_option("-c,--cpu-shares", f->limits.cpu_shares, "CPU shares (relative weight)");
  cmd->add_option("--cpu-period", f->cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period");
  cmd->add_option("--cpu-quota", f->cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota");
  cmd->add_option("--cpuset-cpus", f->cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)");
  cmd->add_option("--cpuset-mems", f->cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)");
  cmd->add_option("--pids-limit", f->limits.pids_limit, "Tune container pids limit (set -1 for unlimited)");
  cmd->add_option("--restart", f->limits.restart, "Restart policy to apply when a container exits");
  cmd->callback([&ctx, f] {
    nlohmann::json body = update_body(*f);
    ApiClient api = ctx.connect();
    int rc = 0;
    for (const std::string& id : f->containers) {
      HttpResponse r = check(api.request("POST", "/containers/" + url_encode(id) + "/update", body.dump()));
      if (!r.ok()) {
        std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
        rc = 1;
        continue;
      }
      for (const auto& w : r.json().value("Warnings", nlohmann::json::array()))
        if (w.is_string()) std::fprintf(stderr, "WARNING: %s\n", w.get<std::string>().c_str());
      std::printf("%s\n", id.c_str());
    }
    if (rc) throw CLI::RuntimeError(rc);
  });
}

}  // namespace cli
