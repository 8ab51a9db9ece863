#pragma once
/// Applying metadata instructions (ENV, CMD, LABEL, ...) to an image config.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/build/dockerfile.h"
#include "engine/image/config.h"

namespace engine::build {

/// What a stage carries between instructions besides its layers.
struct StageState {
  image::ContainerConfig config;                     ///< the config being built
  std::vector<std::string> shell = {"/bin/sh", "-c"};  ///< SHELL for shell-form commands
  std::map<std::string, std::string> args;           ///< ARGs declared in this stage, with values
};

/// Value of a variable for ${VAR} substitution: ENV wins over ARG.
std::optional<std::string> lookup_var(const StageState& st, const std::string& name);

/// True for instructions that only change the config (no layer).
bool is_metadata(const Instruction& ins);

/// Applies a metadata instruction; build_args are the --build-arg values. Errors carry "Dockerfile:LINE:".
base::Result<void> apply_metadata(const Instruction& ins, StageState& st,
                                  const std::map<std::string, std::string>& build_args);

/// The argv of a RUN/CMD/ENTRYPOINT: its exec form, or SHELL + the (expanded) text.
std::vector<std::string> command_of(const Instruction& ins, const StageState& st);

/// Parses a Go-style duration ("30s", "1m30s", "500ms") into nanoseconds.
base::Result<int64_t> parse_duration_ns(std::string_view s);

}  // namespace engine::build
