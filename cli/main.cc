// berth: the berth CLI. Engine verbs talk to berthd over the Docker Engine API;
// `berth compose` runs the compose pipeline client-side, as docker compose does.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>

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

int main(int argc, char** argv) {
  CLI::App app{"berth: a container engine with Compose at its centre", "berth"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::Context ctx;
  const char* env_root = std::getenv("BERTH_ROOT");
  ctx.root = env_root ? env_root : "";
  cli::add_connection_options(app, ctx);
  app.set_version_flag("-v,--version", std::string("berth version ") + BERTH_VERSION_STRING);

  cli::register_system_commands(app, ctx);
  cli::register_container_commands(app, ctx);
  cli::register_network_commands(app, ctx);
  cli::register_volume_commands(app, ctx);
  cli::register_image_commands(app, ctx);
  cli::register_build_commands(app, ctx);
  cli::register_copy_command(app, ctx);
  cli::register_update_command(app, ctx);
  cli::register_stats_command(app, ctx);
  cli::register_system_group(app, ctx);
  cli::register_compose_commands(app, ctx);
  cli::register_pending_commands(app, ctx);
  one_value_per_flag(app);

  // run/create/exec: the container's command line is not ours to parse.
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (cli::global_option_takes_value(a)) {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    if (a == "run" || a == "create" || a == "exec") {
      CLI::App* sub = app.get_subcommand(a);
      size_t cut = cli::first_positional(*sub, args, i + 1);
      ctx.command_tail.assign(args.begin() + long(cut), args.end());
      args.resize(cut);
      if (cut > 0 && args.back() == "--") args.pop_back();
    }
    break;
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
