// berth system df|prune|info.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/extra_commands.h"
#include "cli/format.h"
#include "cli/table.h"

namespace cli {

using nlohmann::json;

namespace {

uint64_t num(const json& j, const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<uint64_t>() : 0; }

std::string reclaimable(uint64_t bytes, uint64_t total) {
  std::string s = human_size(double(bytes));
  if (total > 0) s += " (" + std::to_string(bytes * 100 / total) + "%)";
  return s;
}

/// docker system df's summary rows: Type, TotalCount, Active, Size, Reclaimable.
std::vector<json> df_rows(const json& df) {
  std::vector<json> rows;
  const json images = df.value("Images", json::array()), conts = df.value("Containers", json::array()),
             vols = df.value("Volumes", json::array());
  uint64_t layers = num(df, "LayersSize"), used = 0;
  int active = 0;
  for (const auto& i : images)
    if (i.value("Containers", 0) > 0) {
      ++active;
      used += num(i, "Size") - std::min(num(i, "Size"), num(i, "SharedSize"));
    }
  rows.push_back({{"Type", "Images"}, {"TotalCount", std::to_string(images.size())}, {"Active", std::to_string(active)},
                  {"Size", human_size(double(layers))}, {"Reclaimable", reclaimable(layers - std::min(layers, used), layers)}});
  uint64_t csize = 0, creclaim = 0;
  active = 0;
  for (const auto& c : conts) {
    csize += num(c, "SizeRw");
    if (c.value("State", "") == "running") ++active;
    else creclaim += num(c, "SizeRw");
  }
  rows.push_back({{"Type", "Containers"}, {"TotalCount", std::to_string(conts.size())}, {"Active", std::to_string(active)},
                  {"Size", human_size(double(csize))}, {"Reclaimable", reclaimable(creclaim, csize)}});
  uint64_t vsize = 0, vreclaim = 0;
  active = 0;
  for (const auto& v : vols) {
    json u = v.value("UsageData", json::object());
    vsize += num(u, "Size");
    if (u.value("RefCount", 0) > 0) ++active;
    else vreclaim += num(u, "Size");
  }
  rows.push_back({{"Type", "Local Volumes"}, {"TotalCount", std::to_string(vols.size())}, {"Active", std::to_string(active)},
                  {"Size", human_size(double(vsize))}, {"Reclaimable", reclaimable(vreclaim, vsize)}});
  rows.push_back({{"Type", "Build Cache"}, {"TotalCount", "0"}, {"Active", "0"}, {"Size", "0B"}, {"Reclaimable", "0B"}});
  return rows;
}

/// docker system df -v: one table per kind.
void print_verbose(const json& df) {
  Table images({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"});
  for (const auto& i : df.value("Images", json::array())) {
    std::string tag = i.contains("RepoTags") && i["RepoTags"].is_array() && !i["RepoTags"].empty()
                          ? i["RepoTags"][0].get<std::string>()
                          : "<none>:<none>";
    size_t colon = tag.rfind(':');
    uint64_t size = num(i, "Size"), shared = std::min(size, num(i, "SharedSize"));
    images.add({tag.substr(0, colon), colon == std::string::npos ? "<none>" : tag.substr(colon + 1),
                short_id(i.value("Id", "")), ago(i.value("Created", int64_t(0))), human_size(double(size)),
                human_size(double(shared)), human_size(double(size - shared)), std::to_string(i.value("Containers", 0))});
  }
  Table conts({"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"});
  for (const auto& c : df.value("Containers", json::array())) {
    int vols = 0;
    for (const auto& m : c.value("Mounts", json::array()))
      if (m.value("Type", "") == "volume") ++vols;
    std::string name = c.contains("Names") && c["Names"].is_array() && !c["Names"].empty() ? c["Names"][0].get<std::string>() : "";
    if (!name.empty() && name[0] == '/') name.erase(0, 1);
    conts.add({short_id(c.value("Id", "")), c.value("Image", ""), "\"" + ellipsis(c.value("Command", ""), 20) + "\"",
               std::to_string(vols), human_size(double(num(c, "SizeRw"))), ago(c.value("Created", int64_t(0))),
               c.value("Status", ""), name});
  }
  Table vols({"VOLUME NAME", "LINKS", "SIZE"});
  for (const auto& v : df.value("Volumes", json::array())) {
    json u = v.value("UsageData", json::object());
    vols.add({v.value("Name", ""), std::to_string(u.value("RefCount", 0)), human_size(double(num(u, "Size")))});
  }
  std::printf("Images space usage:\n\n%s\nContainers space usage:\n\n%s\nLocal Volumes space usage:\n\n%s\n"
              "Build cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n",
              images.render().c_str(), conts.render().c_str(), vols.render().c_str());
}

struct DfFlags {
  bool verbose = false;
  std::string format;
};

void run_df(const Context& ctx, const DfFlags& f) {
  HttpResponse r = check(ctx.connect().request("GET", "/system/df"));
  if (!r.ok()) fail_response(r);
  json df = r.json();
  if (f.verbose && f.format.empty()) return print_verbose(df);
  std::vector<json> rows = df_rows(df);
  if (f.format == "json") {
    for (const auto& row : rows) std::printf("%s\n", row.dump().c_str());
    return;
  }
  if (!f.format.empty()) {
    for (const auto& row : rows) std::printf("%s\n", render_format(f.format, row).c_str());
    return;
  }
  Table t({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
  for (const auto& row : rows) t.add({row["Type"], row["TotalCount"], row["Active"], row["Size"], row["Reclaimable"]});
  std::printf("%s", t.render().c_str());
}

struct PruneFlags {
  bool all = false, volumes = false, force = false;
  std::vector<std::string> filters;
};

/// docker's prompt; anything but y/Y (or end of input) declines.
bool confirm(const PruneFlags& f) {
  std::printf("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n");
  if (f.volumes) std::printf("  - all volumes not used by at least one container\n");
  std::printf(f.all ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n");
  std::printf("  - all dangling build cache\n\nAre you sure you want to continue? [y/N] ");
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  return answer == "y" || answer == "Y";
}

void run_prune(const Context& ctx, const PruneFlags& f) {
  if (!f.force && !confirm(f)) return;
  ApiClient api = ctx.connect();
  std::string filters = f.filters.empty() ? "" : "?filters=" + url_encode(filters_json(f.filters));
  auto post = [&](const std::string& path) {
    HttpResponse r = check(api.request("POST", path));
    if (!r.ok()) fail_response(r);
    return r.json();
  };
  uint64_t reclaimed = 0;
  auto section = [](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    std::printf("%s:\n", title);
    for (const auto& i : items) std::printf("%s\n", i.c_str());
    std::printf("\n");
  };
  auto strings = [](const json& j) {
    std::vector<std::string> out;
    if (j.is_array())
      for (const auto& v : j)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  };
  json c = post("/containers/prune" + filters);
  section("Deleted Containers", strings(c.value("ContainersDeleted", json())));
  reclaimed += num(c, "SpaceReclaimed");
  json n = post("/networks/prune" + filters);
  section("Deleted Networks", strings(n.value("NetworksDeleted", json())));
  if (f.volumes) {
    json v = post("/volumes/prune" + filters);
    section("Deleted Volumes", strings(v.value("VolumesDeleted", json())));
    reclaimed += num(v, "SpaceReclaimed");
  }
  std::vector<std::string> image_filters = f.filters;
  image_filters.push_back(f.all ? "dangling=false" : "dangling=true");
  json i = post("/images/prune?filters=" + url_encode(filters_json(image_filters)));
  std::vector<std::string> lines;
  for (const auto& item : i.value("ImagesDeleted", json::array())) {
    if (item.contains("Untagged")) lines.push_back("untagged: " + item["Untagged"].get<std::string>());
    if (item.contains("Deleted")) lines.push_back("deleted: " + item["Deleted"].get<std::string>());
  }
  section("Deleted Images", lines);
  reclaimed += num(i, "SpaceReclaimed");
  std::printf("Total reclaimed space: %s\n", human_size(double(reclaimed)).c_str());
}

}  // namespace

void register_system_group(CLI::App& app, Context& ctx) {
  auto* sys = app.add_subcommand("system", "Manage berth");
  sys->require_subcommand(1);

  auto df = std::make_shared<DfFlags>();
  auto* d = sys->add_subcommand("df", "Show berth disk usage");
  d->add_flag("-v,--verbose", df->verbose, "Show detailed information on space usage");
  d->add_option("--format", df->format, "Format output using a custom template: json, or a Go-like template");
  d->callback([&ctx, df] { run_df(ctx, *df); });

  auto pf = std::make_shared<PruneFlags>();
  auto* p = sys->add_subcommand("prune", "Remove unused data");
  p->add_flag("-a,--all", pf->all, "Remove all unused images not just dangling ones");
  p->add_flag("--volumes", pf->volumes, "Prune volumes");
  p->add_flag("-f,--force", pf->force, "Do not prompt for confirmation");
  p->add_option("--filter", pf->filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  p->callback([&ctx, pf] { run_prune(ctx, *pf); });

  auto format = std::make_shared<std::string>();
  auto* info = sys->add_subcommand("info", "Display system-wide information");
  info->add_option("-f,--format", *format, "Output format: json");
  info->callback([&ctx, format] { print_info(ctx, *format); });
}

}  // namespace cli
