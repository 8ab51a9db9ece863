#pragma once
/// `berth compose ...`: the compose verbs, run client-side through the engine API.
#include "cli/context.h"

namespace cli {

void register_compose_commands(CLI::App& app, Context& ctx);

}  // namespace cli
