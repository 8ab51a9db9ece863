// berth container VERB: docker's management command for containers. Every container verb
// (run, ps, rm, logs, exec, ...) is there again, with `ls`/`list` for ps, and `prune`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/context.h"
#include "cli/object_verbs.h"
#include "cli/table.h"

namespace cli {

void register_container_group(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("container", "Manage containers");
  group->require_subcommand(1);
  register_container_commands(*group, ctx);
  find_subcommand(*group, "ps")->alias("ls")->alias("list");

  struct PruneOpts {
    std::vector<std::string> filters;
    bool force = false;
  };
  auto o = std::make_shared<PruneOpts>();
  auto* prune = group->add_subcommand("prune", "Remove all stopped containers");
  prune->add_flag("-f,--force", o->force, "Do not prompt for confirmation");
  prune->add_option("--filter", o->filters, "Provide filter values (e.g. label=<label>, until=<timestamp>)");
  prune->callback([&ctx, o] {
    if (!o->force) {
      std::printf("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
      std::fflush(stdout);
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") return;
    }
    std::string path = "/containers/prune";
    if (!o->filters.empty()) path += "?filters=" + url_encode(filters_json(o->filters));
    HttpResponse r = check(ctx.connect().request("POST", path));
    if (!r.ok()) fail_response(r);
    auto j = r.json();
    if (j["ContainersDeleted"].is_array() && !j["ContainersDeleted"].empty()) {
      std::printf("Deleted Containers:\n");
      for (const auto& id : j["ContainersDeleted"]) std::printf("%s\n", id.get<std::string>().c_str());
      std::printf("\n");
    }
    std::printf("Total reclaimed space: %s\n", human_size(j.value("SpaceReclaimed", 0.0)).c_str());
  });
}

}  // namespace cli
