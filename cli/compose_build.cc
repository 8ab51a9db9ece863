// berth compose build and push: images of build: services through POST /build and
// POST /images/{name}/push, with service-prefixed output.
#include <CLI/CLI.hpp>

#include "cli/compose_project.h"

namespace cli {

namespace {

struct BuildVerbFlags {
  std::vector<std::string> services, build_args;
  bool no_cache = false, pull = false, quiet = false, ignore_failures = false;
};

}  // namespace

void register_compose_build(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  {
    auto f = std::make_shared<BuildVerbFlags>();
    CLI::App* cmd = compose.add_subcommand("build", "Build or rebuild services");
    cmd->add_option("services", f->services, "Services to build (default: every service with build:)");
    cmd->add_flag("--no-cache", f->no_cache, "Do not use cache when building the image");
    cmd->add_flag("--pull", f->pull, "Always attempt to pull a newer version of the image");
    cmd->add_option("--build-arg", f->build_args, "Set build-time variables for services (KEY=VALUE or KEY)");
    cmd->add_flag("-q,--quiet", f->quiet, "Don't print anything to STDOUT");
    cmd->callback([f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      if (f->quiet) g->progress = "quiet";
      ComposeSession s(ctx, *g);
      compose::plan::BuildFlags bf;
      bf.no_cache = f->no_cache;
      bf.pull = f->pull;
      bf.quiet = f->quiet;
      bf.build_args = f->build_args;
      check_status(s.orch.build(p, f->services, bf));
    });
  }
  {
    auto f = std::make_shared<BuildVerbFlags>();
    CLI::App* cmd = compose.add_subcommand("push", "Push service images");
    cmd->add_option("services", f->services, "Services to push (default: every service with image: and build:)");
    cmd->add_flag("--ignore-push-failures", f->ignore_failures, "Push what it can and ignores images with push failures");
    cmd->add_flag("-q,--quiet", f->quiet, "Push without printing progress information");
    cmd->callback([f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      if (f->quiet) g->progress = "quiet";
      ComposeSession s(ctx, *g);
      check_status(s.orch.push(p, f->services, f->ignore_failures));
    });
  }
}

}  // namespace cli
