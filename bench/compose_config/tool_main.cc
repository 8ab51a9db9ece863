// compose-config-tool: a stand-alone `compose config` (the same code as `berth compose
// config`) used by the benchmark and by hand before the full CLI is wired.
//   compose-config-tool [-f FILE]... [-p NAME] [--project-directory DIR] [--env-file F]...
//                       [--profile P]... [--time N] config [config flags]
// --time N loads the project N times in-process and prints the mean load time to stderr.
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/compose_config.h"

int main(int argc, char** argv) {
  CLI::App app("compose-config-tool");
  compose::load::LoadOptions opts;
  int repeat = 0;
  app.add_option("-f,--file", opts.files, "Compose file(s)");
  app.add_option("-p,--project-name", opts.project_name, "Project name");
  app.add_option("--project-directory", opts.project_directory, "Project directory");
  app.add_option("--env-file", opts.env_files, "Env file(s)");
  app.add_option("--profile", opts.profiles, "Profiles");
  app.add_option("--time", repeat, "Load N times and print the mean time");
  app.require_subcommand(0, 1);
  cli::register_compose_config(app, opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (repeat > 0) {
    compose::load::DiskFileSystem fs;
    auto env = compose::load::Environment::process();
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeat; ++i) {
      auto p = compose::load::load_project(opts, env, fs);
      if (!p) {
        std::cerr << "error: " << p.error().str() << "\n";
        return 1;
      }
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeat;
    std::cerr << "load_project: " << ms << " ms (mean of " << repeat << ")\n";
  }
  return 0;
}
