// berth stats: live resource usage of containers, as docker stats shows it.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/extra_commands.h"
#include "cli/format.h"
#include "cli/table.h"

namespace cli {

using nlohmann::json;

namespace {

struct StatsFlags {
  bool all = false, no_stream = false, no_trunc = false;
  std::string format;
  std::vector<std::string> containers;
};

/// "1.5MiB" as docker prints memory (binary units, 4 significant digits).
std::string binary_size(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", bytes, units[u]);
  return buf;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v);
  return buf;
}

uint64_t u64(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return 0;
    cur = &(*cur)[k];
  }
  return cur->is_number() ? cur->get<uint64_t>() : 0;
}

/// One row of docker stats from two samples of a container (PREV may be null).
json stats_row(const std::string& id, const std::string& name, const json& cur, const json& prev, bool no_trunc) {
  double cpu = 0;
  if (!prev.is_null()) {
    double cpu_delta = double(u64(cur, {"cpu_stats", "cpu_usage", "total_usage"})) -
                       double(u64(prev, {"cpu_stats", "cpu_usage", "total_usage"}));
    double sys_delta = double(u64(cur, {"cpu_stats", "system_cpu_usage"})) - double(u64(prev, {"cpu_stats", "system_cpu_usage"}));
    uint64_t cpus = u64(cur, {"cpu_stats", "online_cpus"});
    if (cpu_delta > 0 && sys_delta > 0) cpu = cpu_delta / sys_delta * double(cpus ? cpus : 1) * 100.0;
  }
  // Usage without the inactive page cache, as the docker CLI computes it.
  double usage = double(u64(cur, {"memory_stats", "usage"}));
  uint64_t inactive = u64(cur, {"memory_stats", "stats", "total_inactive_file"});
  if (!inactive) inactive = u64(cur, {"memory_stats", "stats", "inactive_file"});
  if (double(inactive) < usage) usage -= double(inactive);
  double limit = double(u64(cur, {"memory_stats", "limit"}));
  uint64_t rx = 0, tx = 0, rd = 0, wr = 0;
  if (cur.contains("networks") && cur["networks"].is_object())
    for (const auto& [_, n] : cur["networks"].items()) {
      rx += u64(n, {"rx_bytes"});
      tx += u64(n, {"tx_bytes"});
    }
  if (cur.contains("blkio_stats") && cur["blkio_stats"].is_object() &&
      cur["blkio_stats"].contains("io_service_bytes_recursive") && cur["blkio_stats"]["io_service_bytes_recursive"].is_array())
    for (const auto& e : cur["blkio_stats"]["io_service_bytes_recursive"]) {
      std::string op = e.value("op", "");
      if (op == "Read" || op == "read") rd += u64(e, {"value"});
      if (op == "Write" || op == "write") wr += u64(e, {"value"});
    }
  std::string short_name = name.size() > 1 && name[0] == '/' ? name.substr(1) : name;
  return {{"BlockIO", human_size(double(rd)) + " / " + human_size(double(wr))},
          {"CPUPerc", percent(cpu)},
          {"Container", no_trunc ? id : short_id(id)},
          {"ID", no_trunc ? id : short_id(id)},
          {"MemPerc", percent(limit > 0 ? usage / limit * 100.0 : 0)},
          {"MemUsage", binary_size(usage) + " / " + binary_size(limit)},
          {"Name", short_name},
          {"NetIO", human_size(double(rx)) + " / " + human_size(double(tx))},
          {"PIDs", std::to_string(u64(cur, {"pids_stats", "current"}))}};
}

struct Target {
  std::string id, name;
};

std::vector<Target> targets(const ApiClient& api, const StatsFlags& f) {
  std::vector<Target> out;
  if (!f.containers.empty()) {
    for (const auto& ref : f.containers) {
      HttpResponse r = check(api.request("GET", "/containers/" + url_encode(ref) + "/json"));
      if (!r.ok()) fail_response(r, 1);
      json j = r.json();
      out.push_back({j.value("Id", ref), j.value("Name", ref)});
    }
    return out;
  }
  HttpResponse r = check(api.request("GET", std::string("/containers/json") + (f.all ? "?all=1" : "")));
  if (!r.ok()) fail_response(r);
  for (const auto& c : r.json()) {
    std::string name = c.contains("Names") && c["Names"].is_array() && !c["Names"].empty() ? c["Names"][0].get<std::string>() : "";
    out.push_back({c.value("Id", ""), name});
  }
  return out;
}

std::map<std::string, json> sample(const ApiClient& api, const std::vector<Target>& ts) {
  std::map<std::string, json> out;
  for (const auto& t : ts) {
    HttpResponse r = check(api.request("GET", "/containers/" + url_encode(t.id) + "/stats?stream=false"));
    if (r.ok()) out[t.id] = r.json();
  }
  return out;
}

void print(const std::vector<json>& rows, const StatsFlags& f, bool redraw) {
  std::string out;
  if (f.format == "json") {
    for (const auto& r : rows) out += r.dump() + "\n";
  } else if (!f.format.empty()) {
    for (const auto& r : rows) out += render_format(f.format, r) + "\n";
  } else {
    Table t({"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"});
    for (const auto& r : rows)
      t.add({r["ID"], r["Name"], r["CPUPerc"], r["MemUsage"], r["MemPerc"], r["NetIO"], r["BlockIO"], r["PIDs"]});
    out = t.render();
  }
  if (redraw) out = "\033[2J\033[H" + out;
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

void run_stats(const Context& ctx, const StatsFlags& f) {
  ApiClient api = ctx.connect();
  std::vector<Target> ts = targets(api, f);
  // CPU % needs two samples: the first is the baseline.
  std::map<std::string, json> prev = sample(api, ts);
  bool redraw = !f.no_stream && ::isatty(STDOUT_FILENO);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(f.no_stream ? 500 : 1000));
    if (!f.no_stream && f.containers.empty()) ts = targets(api, f);
    std::map<std::string, json> cur = sample(api, ts);
    std::vector<json> rows;
    for (const auto& t : ts) {
      auto it = cur.find(t.id);
      if (it == cur.end()) continue;
      auto p = prev.find(t.id);
      rows.push_back(stats_row(t.id, t.name, it->second, p == prev.end() ? json() : p->second, f.no_trunc));
    }
    print(rows, f, redraw);
    if (f.no_stream) return;
    prev = std::move(cur);
  }
}

}  // namespace

void register_stats_command(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<StatsFlags>();
  auto* cmd = app.add_subcommand("stats", "Display a live stream of container(s) resource usage statistics");
  cmd->add_option("containers", f->containers, "Containers (default: all running)");
  cmd->add_flag("-a,--all", f->all, "Show all containers (default shows just running)");
  cmd->add_flag("--no-stream", f->no_stream, "Disable streaming stats and only pull the first result");
  cmd->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
  cmd->add_option("--format", f->format, "Format output using a custom template: json, or a Go-like template");
  cmd->callback([&ctx, f] { run_stats(ctx, *f); });
}

}  // namespace cli
