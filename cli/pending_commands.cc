// The rest of the engine verb tree, laid out as the docker CLI has it. Each verb here
// is filled in by its issue (engine API, images, networking); until then it says so.
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace cli {

namespace {

struct Verb {
  const char* name;
  const char* help;
};

// Top-level engine verbs, in the docker CLI's words.
constexpr Verb kVerbs[] = {
    {"run", "Create and run a new container from an image"},
    {"create", "Create a new container"},
    {"start", "Start one or more stopped containers"},
    {"stop", "Stop one or more running containers"},
    {"restart", "Restart one or more containers"},
    {"kill", "Kill one or more running containers"},
    {"rm", "Remove one or more containers"},
    {"ps", "List containers"},
    {"logs", "Fetch the logs of a container"},
    {"exec", "Execute a command in a running container"},
    {"inspect", "Return low-level information on berth objects"},
    {"wait", "Block until one or more containers stop, then print their exit codes"},
    {"top", "Display the running processes of a container"},
    {"pause", "Pause all processes within one or more containers"},
    {"unpause", "Unpause all processes within one or more containers"},
    {"rename", "Rename a container"},
    {"port", "List port mappings or a specific mapping for the container"},
    {"events", "Get real time events from the daemon"},
    {"images", "List images"},
    {"pull", "Download an image from a registry"},
    {"push", "Upload an image to a registry"},
    {"tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {"rmi", "Remove one or more images"},
    {"load", "Load an image from a tar archive or STDIN"},
    {"save", "Save one or more images to a tar archive"},
    {"import", "Import the contents from a tarball to create a filesystem image"},
    {"build", "Build an image from a Dockerfile"},
    {"login", "Log in to a registry"},
    {"logout", "Log out from a registry"},
};

// Management commands with their sub-verbs.
struct Group {
  const char* name;
  const char* help;
  std::vector<Verb> verbs;
};

const std::vector<Group>& groups() {
  static const std::vector<Group> g = {
      {"image", "Manage images",
       {{"ls", "List images"}, {"inspect", "Display detailed information on one or more images"},
        {"history", "Show the history of an image"}, {"prune", "Remove unused images"}}},
      {"network", "Manage networks",
       {{"create", "Create a network"}, {"ls", "List networks"}, {"inspect", "Display detailed information on one or more networks"},
        {"rm", "Remove one or more networks"}, {"prune", "Remove all unused networks"},
        {"connect", "Connect a container to a network"}, {"disconnect", "Disconnect a container from a network"}}},
      {"volume", "Manage volumes",
       {{"create", "Create a volume"}, {"ls", "List volumes"}, {"inspect", "Display detailed information on one or more volumes"},
        {"rm", "Remove one or more volumes"}, {"prune", "Remove unused local volumes"}}},
  };
  return g;
}

void add_pending(CLI::App& parent, const std::string& full_name, const char* name, const char* help) {
  auto* sub = parent.add_subcommand(name, help);
  sub->allow_extras();
  sub->callback([full_name] { fail(full_name + ": not implemented yet in this build", 1); });
}

}  // namespace

void register_pending_commands(CLI::App& app, Context&) {
  for (const Verb& v : kVerbs) {
    if (find_subcommand(app, v.name)) continue;
    add_pending(app, v.name, v.name, v.help);
  }
  for (const Group& g : groups()) {
    CLI::App* group = find_subcommand(app, g.name);
    if (!group) {
      group = app.add_subcommand(g.name, g.help);
      group->require_subcommand(1);
    }
    for (const Verb& v : g.verbs) {
      if (find_subcommand(*group, v.name)) continue;
      add_pending(*group, std::string(g.name) + " " + v.name, v.name, v.help);
    }
  }
}

}  // namespace cli
