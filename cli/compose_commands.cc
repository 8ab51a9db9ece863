// berth compose: global compose flags and the verb tree. Each verb is filled in by
// the loader (config) and orchestration (up, down, ...) issues.
#include "cli/compose_commands.h"

#include <CLI/CLI.hpp>

#include "cli/compose_config.h"
#include "cli/compose_project.h"
#include "cli/extra_commands.h"
#include "compose/load/loader.h"

namespace cli {

namespace {

struct ComposeVerb {
  const char* name;
  const char* help;
};

constexpr ComposeVerb kComposeVerbs[] = {
    {"build", "Build or rebuild services"},
    {"config", "Parse, resolve and render the compose file in canonical format"},
    {"cp", "Copy files/folders between a service container and the local filesystem"},
    {"create", "Create containers for a service"},
    {"down", "Stop and remove containers, networks"},
    {"events", "Receive real time events from containers"},
    {"exec", "Execute a command in a running container"},
    {"images", "List images used by the created containers"},
    {"kill", "Force stop service containers"},
    {"logs", "View output from containers"},
    {"ls", "List running compose projects"},
    {"pause", "Pause services"},
    {"port", "Print the public port for a port binding"},
    {"ps", "List containers"},
    {"pull", "Pull service images"},
    {"push", "Push service images"},
    {"restart", "Restart service containers"},
    {"rm", "Removes stopped service containers"},
    {"run", "Run a one-off command on a service"},
    {"start", "Start services"},
    {"stop", "Stop services"},
    {"top", "Display the running processes"},
    {"unpause", "Unpause services"},
    {"up", "Create and start containers"},
    {"wait", "Block until containers of all (or specified) services stop"},
};

}  // namespace

void register_compose_commands(CLI::App& app, Context& ctx) {
  auto* compose = app.add_subcommand("compose", "Define and run multi-container applications");
  compose->require_subcommand(1);
  // The global compose flags, shared by every verb (kept alive by the verbs' callbacks).
  auto g = std::make_shared<ComposeGlobals>();
  compose->add_option("-f,--file", g->load.files, "Compose configuration files (repeatable; - for stdin)");
  compose->add_option("-p,--project-name", g->load.project_name, "Project name");
  compose->add_option("--project-directory", g->load.project_directory, "Alternate working directory");
  compose->add_option("--env-file", g->load.env_files, "Alternate environment files (repeatable)");
  compose->add_option("--profile", g->load.profiles, "Profiles to enable (repeatable)");
  compose->add_option("--progress", g->progress, "Set type of progress output (auto, tty, plain, quiet)")
      ->check(CLI::IsMember({"auto", "tty", "plain", "quiet"}));
  compose->add_option("--ansi", g->ansi, "Control when to print ANSI control characters (never, always, auto)")
      ->check(CLI::IsMember({"auto", "never", "always"}));
  register_compose_config(*compose, g->load);
  register_compose_up(*compose, ctx, g);
  register_compose_lifecycle(*compose, ctx, g);
  register_compose_ps(*compose, ctx, g);
  register_compose_logs(*compose, ctx, g);
  register_compose_exec(*compose, ctx, g);
  register_compose_build(*compose, ctx, g);
  register_compose_events(*compose, ctx, g);
  register_compose_cp(*compose, ctx, g);
  for (const ComposeVerb& v : kComposeVerbs) {
    bool implemented = false;
    for (const CLI::App* sub : compose->get_subcommands({})) implemented = implemented || sub->get_name() == v.name;
    if (implemented) continue;
    auto* sub = compose->add_subcommand(v.name, v.help);
    sub->allow_extras();
    std::string name = v.name;
    sub->callback([name, g] {
      (void)g; fail("compose " + name + ": not implemented yet in this build", 1); });
  }
}

}  // namespace cli
