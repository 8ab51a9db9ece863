// berth compose cp: docker cp with SERVICE:PATH naming a service's container.
#include <CLI/CLI.hpp>

#include "cli/compose_project.h"
#include "cli/copy.h"
#include "cli/extra_commands.h"
#include "compose/plan/labels.h"

namespace cli {

void register_compose_cp(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  struct Flags {
    std::string src, dst;
    int index = 0;
    CopyOptions opts;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = compose.add_subcommand("cp", "Copy files/folders between a service container and the local filesystem");
  cmd->add_option("src", f->src, "SERVICE:SRC_PATH, a local path, or -")->required();
  cmd->add_option("dst", f->dst, "SERVICE:DEST_PATH, a local path, or -")->required();
  cmd->add_option("--index", f->index, "Index of the container if the service has multiple replicas");
  cmd->add_flag("-a,--archive", f->opts.archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", f->opts.follow_link, "Always follow symbol link in SRC_PATH");
  cmd->callback([f, g, &ctx] {
    CopyEndpoint src = parse_copy_arg(f->src), dst = parse_copy_arg(f->dst);
    if (auto ok = check_copy_args(src, dst); !ok) fail(ok.error().message, 1);
    std::string service = src.container.empty() ? dst.container : src.container;
    compose::model::Project p = load_compose_project(*g, {service});
    ComposeSession s(ctx, *g);
    auto cs = s.orch.containers(p, {service}, true);
    if (!cs) fail(cs.error().str());
    // Without --index: the first container of the service, as docker compose takes it.
    const compose::plan::ContainerSummary* target = nullptr;
    int best = 0;
    for (auto& c : *cs) {
      int number = std::atoi(c.labels[std::string(compose::plan::kLabelNumber)].c_str());
      if (f->index > 0 ? number == f->index : (!target || number < best)) {
        target = &c;
        best = number;
      }
    }
    if (!target) fail("no container found for service \"" + service + "\"");
    (src.container.empty() ? dst : src).container = target->id;
    f->opts.quiet = true;
    ApiClient api = ctx.connect();
    copy_paths(api, src, dst, f->opts);
  });
}

}  // namespace cli
