// berth volume create|ls|inspect|rm|prune.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/context.h"
#include "cli/object_verbs.h"
#include "cli/table.h"

namespace cli {

namespace {

struct VolumeOpts {
  std::string name, driver = "local", format;
  std::vector<std::string> labels, opts, filters, names;
  bool quiet = false, force = false, all = false;
};

nlohmann::json kv_object(const std::vector<std::string>& kvs) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& kv : kvs) {
    size_t eq = kv.find('=');
    o[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return o;
}

}  // namespace

void register_volume_commands(CLI::App& app, Context& ctx) {
  auto* vol = app.add_subcommand("volume", "Manage volumes");
  vol->require_subcommand(1);
  auto o = std::make_shared<VolumeOpts>();

  auto* create = vol->add_subcommand("create", "Create a volume");
  create->add_option("name", o->name, "Volume name (random if omitted)");
  create->add_option("-d,--driver", o->driver, "Volume driver name")->capture_default_str();
  create->add_option("-l,--label", o->labels, "Set metadata for a volume (key=value)");
  create->add_option("-o,--opt", o->opts, "Set driver specific options (key=value)");
  create->callback([&ctx, o] {
    nlohmann::json body = {{"Name", o->name}, {"Driver", o->driver}, {"Labels", kv_object(o->labels)},
                           {"DriverOpts", kv_object(o->opts)}};
    HttpResponse r = check(ctx.connect().request("POST", "/volumes/create", body.dump()));
    if (!r.ok()) fail_response(r);
    std::printf("%s\n", r.json().value("Name", "").c_str());
  });

  auto* ls = vol->add_subcommand("ls", "List volumes");
  ls->alias("list");
  ls->add_flag("-q,--quiet", o->quiet, "Only display volume names");
  ls->add_option("--format", o->format, "Output format: table or json");
  ls->add_option("-f,--filter", o->filters, "Filter output based on conditions provided (key=value)");
  ls->callback([&ctx, o] {
    std::string path = "/volumes";
    if (!o->filters.empty()) path += "?filters=" + url_encode(filters_json(o->filters));
    HttpResponse r = check(ctx.connect().request("GET", path));
    if (!r.ok()) fail_response(r);
    auto vols = r.json()["Volumes"];
    if (o->format == "json") {
      for (const auto& v : vols) std::printf("%s\n", v.dump().c_str());
      return;
    }
    if (o->quiet) {
      for (const auto& v : vols) std::printf("%s\n", v.value("Name", "").c_str());
      return;
    }
    Table t({"DRIVER", "VOLUME NAME"});
    for (const auto& v : vols) t.add({v.value("Driver", ""), v.value("Name", "")});
    std::fputs(t.render().c_str(), stdout);
  });

  auto* inspect = vol->add_subcommand("inspect", "Display detailed information on one or more volumes");
  inspect->add_option("names", o->names, "Volume names")->required();
  inspect->add_option("-f,--format", o->format, "Output format (json)");
  inspect->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    inspect_objects(api, o->names, [](const std::string& n) { return "/volumes/" + url_encode(n); }, o->format);
  });

  auto* rm = vol->add_subcommand("rm", "Remove one or more volumes");
  rm->alias("remove");
  rm->add_option("names", o->names, "Volume names")->required();
  rm->add_flag("-f,--force", o->force, "Force the removal of one or more volumes");
  rm->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    std::string query = o->force ? "?force=1" : "";
    remove_objects(api, o->names, [&](const std::string& n) { return "/volumes/" + url_encode(n) + query; });
  });

  auto* prune = vol->add_subcommand("prune", "Remove unused local volumes");
  prune->add_flag("-f,--force", o->force, "Do not prompt for confirmation");
  prune->add_option("--filter", o->filters, "Provide filter values (e.g. label=<label>)");
  prune->callback([&ctx, o] {
    std::string path = "/volumes/prune";
    if (!o->filters.empty()) path += "?filters=" + url_encode(filters_json(o->filters));
    HttpResponse r = check(ctx.connect().request("POST", path));
    if (!r.ok()) fail_response(r);
    auto j = r.json();
    if (!j["VolumesDeleted"].empty()) {
      std::printf("Deleted Volumes:\n");
      for (const auto& n : j["VolumesDeleted"]) std::printf("%s\n", n.get<std::string>().c_str());
      std::printf("\n");
    }
    std::printf("Total reclaimed space: %s\n", human_size(j.value("SpaceReclaimed", 0.0)).c_str());
  });
}

}  // namespace cli
