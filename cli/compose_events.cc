// berth compose events: the project's container events from GET /events, as text lines
// or (--json) one JSON object per line, until interrupted.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/compose_project.h"
#include "compose/plan/events.h"
#include "compose/plan/labels.h"

namespace cli {

void register_compose_events(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = compose.add_subcommand("events", "Receive real time events from containers");
  cmd->add_option("services", *services, "Services to follow (default: all)");
  cmd->add_flag("--json", *json, "Output events as a stream of json objects");
  cmd->callback([services, json, g, &ctx] {
    compose::model::Project p = load_compose_project(*g, *services);
    for (const std::string& s : *services)
      if (!p.services.count(s)) fail("no such service: " + s);
    ApiClient api = ctx.connect();
    nlohmann::json filters = {{"type", {{"container", true}}},
                              {"label", {{compose::plan::label_filter(compose::plan::kLabelProject, p.name), true}}}};
    std::string partial;
    auto r = api.stream("GET", "/events?filters=" + url_encode(filters.dump()), {}, [&](std::string_view d) {
      partial.append(d);
      size_t nl;
      while ((nl = partial.find('\n')) != std::string::npos) {
        auto j = nlohmann::json::parse(partial.substr(0, nl), nullptr, false);
        partial.erase(0, nl + 1);
        auto e = compose::plan::compose_event(j, p.name, *services);
        if (!e) continue;
        std::string line = *json ? compose::plan::event_json(*e).dump() : compose::plan::event_text(*e);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      }
      return true;
    });
    if (!r) fail(r.error().str(), kExitDaemonError);
    if (!r->ok()) fail_response(*r);
  });
}

}  // namespace cli
