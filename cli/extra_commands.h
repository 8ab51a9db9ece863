#pragma once
/// Engine verbs of issue 7's second part: cp, update, stats, system df|prune|info, compose cp.
#include <memory>
#include <string>

#include "cli/context.h"

namespace CLI {
class App;
}

namespace cli {

struct ComposeGlobals;

/// berth cp SRC DST.
void register_copy_command(CLI::App& app, Context& ctx);
/// berth update [flags] CONTAINER...
void register_update_command(CLI::App& app, Context& ctx);
/// berth stats [-a] [--no-stream] [--format json] [CONTAINER...]
void register_stats_command(CLI::App& app, Context& ctx);
/// berth info / system info: the daemon's /info as text, or JSON with format "json".
void print_info(const Context& ctx, const std::string& format);
/// berth system df|prune|info.
void register_system_group(CLI::App& app, Context& ctx);
/// berth compose cp [--index N] SERVICE:SRC DST (or SRC SERVICE:DST).
void register_compose_cp(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);

}  // namespace cli
