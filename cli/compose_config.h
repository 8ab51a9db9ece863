#pragma once
/// `berth compose config`: load, validate and print the canonical compose model.
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compose/load/environment.h"
#include "compose/load/loader.h"

namespace cli {

/// Flags of `compose config`.
struct ComposeConfigFlags {
  std::string format = "yaml";  ///< yaml | json
  bool services = false, volumes = false, networks = false, profiles = false, images = false, quiet = false;
  std::string hash;             ///< --hash SERVICE ("*" = every service)
  std::string output;           ///< -o FILE
  std::vector<std::string> names;  ///< positional services to print
  bool exiting = false;  ///< the process exits after the command: leave the results to the kernel
};

/// Runs `compose config` against the given environment and files; returns the exit code
/// (0 ok, 1 invalid configuration) after printing to out / err.
int run_compose_config(const ComposeConfigFlags& flags, compose::load::LoadOptions opts,
                       const compose::load::Environment& env, compose::load::FileSystem& fs, std::ostream& out,
                       std::ostream& err);

/// Adds the `config` subcommand to `compose`; opts carries the global compose flags.
/// On failure prints "error: ..." to stderr and throws CLI::RuntimeError(exit code).
void register_compose_config(CLI::App& compose, compose::load::LoadOptions& opts);

}  // namespace cli
