// berth compose: global compose flags and the verb tree. Each verb is filled in by
// the loader (config) and orchestration (up, down, ...) issues.
#include "cli/compose_commands.h"

#include <CLI/CLI.hpp>

#include "cli/compose_config.h"
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

void register_compose_commands(CLI::App& app, Context&) {
  auto* compose = app.add_subcommand("compose", "Define and run multi-container applications");
  compose->require_subcommand(1);
  // The global compose flags, shared by every verb (kept alive by the verbs' callbacks).
  auto g = std::make_shared<compose::load::LoadOptions>();
  compose->add_option("-f,--file", g->files, "Compose configuration files (repeatable; - for stdin)");
  compose->add_option("-p,--project-name", g->project_name, "Project name");
  compose->add_option("--project-directory", g->project_directory, "Alternate working directory");
  compose->add_option("--env-file", g->env_files, "Alternate environment files (repeatable)");
  compose->add_option("--profile", g->profiles, "Profiles to enable (repeatable)");
  register_compose_config(*compose, *g);
  for (const ComposeVerb& v : kComposeVerbs) {
    if (std::string(v.name) == "config") continue;
    auto* sub = compose->add_subcommand(v.name, v.help);
    sub->allow_extras();
    std::string name = v.name;
    sub->callback([name, g] {
      (void)g; fail("compose " + name + ": not implemented yet in this build", 1); });
  }
}

}  // namespace cli
