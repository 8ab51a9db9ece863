// berth: the berth CLI. Engine verbs talk to berthd over the Docker Engine API;
// `berth compose` runs the compose pipeline client-side, as docker compose does.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cli/compose_commands.h"
#include "cli/container_flags.h"
#include "cli/context.h"
#include "cli/extra_commands.h"

/// docker's flags take one value per use (-e A -e B), never a run of words: a
/// repeatable option must not swallow the positional arguments after it.
static void one_value_per_flag(CLI::App& app) {
  for (CLI::Option* opt : app.get_options())
    if (opt->get_expected_max() > 1 && !opt->get_positional()) opt->allow_extra_args(false);
  for (CLI::App* sub : app.get_subcommands({})) one_value_per_flag(*sub);
}

namespace {

/// One part of the command tree and the top-level verbs it adds, in `berth --help` order.
struct Part {
  void (*add)(CLI::App&, cli::Context&);
  std::initializer_list<std::string_view> verbs;
};

const Part kParts[] = {
    {cli::register_system_commands, {"version", "info"}},
    {cli::register_container_commands,
     {"run", "create", "start", "stop", "restart", "kill", "rm", "pause", "unpause", "wait", "rename", "ps", "logs",
      "exec", "inspect", "top", "port"}},
    {cli::register_container_group, {"container"}},
    {cli::register_network_commands, {"network", "events"}},
    {cli::register_volume_commands, {"volume"}},
    {cli::register_image_commands,
     {"image", "images", "history", "tag", "rmi", "import", "load", "save", "pull", "push", "login", "logout"}},
    {cli::register_build_commands, {"build"}},
    {cli::register_copy_command, {"cp"}},
    {cli::register_update_command, {"update"}},
    {cli::register_stats_command, {"stats"}},
    {cli::register_system_group, {"system"}},
    {cli::register_compose_commands, {"compose"}},
};

/// `berth VERB ...` builds only the part of the command tree that has VERB: building all
/// of it takes ~1.5 ms at every start. No verb (berth --help), a verb no part lists, or a
/// part that turns out not to add it: the whole tree, as before.
void add_commands(CLI::App& app, cli::Context& ctx, const std::string& verb) {
  const Part* hint = nullptr;
  for (const Part& p : kParts)
    if (std::find(p.verbs.begin(), p.verbs.end(), verb) != p.verbs.end()) hint = &p;
  if (hint) {
    hint->add(app, ctx);
    if (cli::find_subcommand(app, verb)) return;
  }
  for (const Part& p : kParts)
    if (&p != hint) p.add(app, ctx);
  cli::register_pending_commands(app, ctx);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"berth: a container engine with Compose at its centre", "berth"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::Context ctx;
  const char* env_root = std::getenv("BERTH_ROOT");
  ctx.root = env_root ? env_root : "";
  cli::add_connection_options(app, ctx);
  app.set_version_flag("-v,--version", std::string("berth version ") + BERTH_VERSION_STRING);

  // The first word that is not a global option (or its value): the verb.
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t verb_at = args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (cli::global_option_takes_value(a)) {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    verb_at = i;
    break;
  }
  add_commands(app, ctx, verb_at < args.size() ? args[verb_at] : std::string());
  one_value_per_flag(app);

  // run/create/exec (also as container run|create|exec): the container's command line is
  // not ours to parse.
  if (verb_at < args.size()) {
    size_t i = verb_at;
    CLI::App* parent = &app;
    if (args[i] == "container" && i + 1 < args.size()) parent = app.get_subcommand(args[i++]);
    const std::string a = args[i];
    if (a == "run" || a == "create" || a == "exec") {
      CLI::App* sub = parent->get_subcommand(a);
      size_t cut = cli::first_positional(*sub, args, i + 1);
      ctx.command_tail.assign(args.begin() + long(cut), args.end());
      args.resize(cut);
      if (cut > 0 && args.back() == "--") args.pop_back();
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
