// berth compose logs: every container's output with aligned, coloured prefixes.
#include <CLI/CLI.hpp>
#include <thread>

#include "cli/compose_project.h"
#include "compose/plan/labels.h"
#include "engine/base/time.h"

namespace cli {

size_t log_width(const std::vector<compose::plan::ContainerSummary>& containers) {
  size_t w = 0;
  for (const auto& c : containers) w = std::max(w, log_name(c).size());
  return w;
}

void stream_logs(ComposeEngine& engine, const std::vector<compose::plan::ContainerSummary>& containers,
                 LogPrinter& printer, const compose::plan::LogOptions& opts,
                 const std::function<void(const compose::plan::ContainerSummary&)>& on_end) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < containers.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto& c = containers[i];
      auto st = engine.container_logs(c.id, opts, printer.sink_for(log_name(c), i));
      if (!st.ok()) printer.line(log_name(c), i, "error: " + st.error().str(), 2);
      if (on_end) on_end(c);
    });
  }
  for (std::thread& t : threads) t.join();
}

namespace {

/// --since as the API wants it (unix seconds): "42m" is relative to now, RFC 3339 absolute.
std::string since_seconds(const std::string& since) {
  if (since.empty()) return since;
  if (auto d = engine::base::parse_duration(since); d.ok())
    return std::to_string((engine::base::now_ns() - *d) / 1000000000);
  if (auto t = engine::base::parse_rfc3339(since); t.ok()) return std::to_string(*t / 1000000000);
  return since;
}

struct LogsFlags {
  std::vector<std::string> services;
  bool follow = false, timestamps = false, no_prefix = false, no_colour = false;
  std::string tail = "all", since;
  int index = 0;
};

}  // namespace

void register_compose_logs(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  auto f = std::make_shared<LogsFlags>();
  CLI::App* cmd = compose.add_subcommand("logs", "View output from containers");
  cmd->add_option("services", f->services, "Services to show (default: all)");
  cmd->add_flag("-f,--follow", f->follow, "Follow log output");
  cmd->add_flag("-t,--timestamps", f->timestamps, "Show timestamps");
  cmd->add_option("-n,--tail", f->tail, "Number of lines to show from the end of the logs for each container");
  cmd->add_option("--since", f->since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)");
  cmd->add_flag("--no-log-prefix", f->no_prefix, "Don't print prefix in logs");
  cmd->add_flag("--no-color", f->no_colour, "Produce monochrome output");
  cmd->add_option("--index", f->index, "Index of the container if the service has multiple replicas");
  cmd->callback([f, g, &ctx] {
    compose::model::Project p = load_compose_project(*g, f->services);
    ComposeSession s(ctx, *g);
    auto cs = s.orch.containers(p, f->services, true);
    if (!cs) fail(cs.error().str());
    std::vector<compose::plan::ContainerSummary> list;
    for (auto& c : *cs)
      if (!f->index || log_name(c) == c.labels[std::string(compose::plan::kLabelService)] + "-" + std::to_string(f->index))
        list.push_back(c);
    LogPrinter printer(!f->no_colour && use_colour(*g, 1), !f->no_prefix, log_width(list));
    compose::plan::LogOptions o{f->follow, f->timestamps, f->tail, since_seconds(f->since)};
    stream_logs(s.engine, list, printer, o, nullptr);
  });
}

}  // namespace cli
