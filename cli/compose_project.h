#pragma once
/// What the compose verbs share: the global compose flags, loading the project, the
/// engine client, the orchestrator and progress output (live lines on a terminal,
/// plain lines otherwise), plus the coloured `service-1  | ` log prefixes.
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/compose_engine.h"
#include "cli/context.h"
#include "compose/load/loader.h"
#include "compose/model/project.h"
#include "compose/plan/orchestrator.h"

namespace CLI {
class App;
}

namespace cli {

/// The flags `berth compose` takes before the verb.
struct ComposeGlobals {
  compose::load::LoadOptions load;
  std::string progress = "auto";  ///< auto | tty | plain | quiet
  std::string ansi = "auto";      ///< auto | never | always
  std::string project_dir;        ///< set by load_compose_project: the loaded project's directory
};

/// Loads the project (services named on the command line switch their profiles on); fails with exit 1.
compose::model::Project load_compose_project(ComposeGlobals& g, const std::vector<std::string>& services = {});
/// Fails (exit `code`) with "berth: <message>" when st is an error.
void check_status(const engine::base::Status& st, int code = 1);
/// True when colours go to this stream (ansi flag, NO_COLOR, isatty).
bool use_colour(const ComposeGlobals& g, int fd);
/// The project environment: the process environment over the env files (--env-file, else <project>/.env).
compose::plan::EnvLookup project_env(const ComposeGlobals& g);
/// Where compose writes secrets and configs: $BERTH_COMPOSE_DIR, else /run/berth-compose.
std::string compose_files_base();

/// Progress output of compose verbs on stderr.
class Progress {
 public:
  explicit Progress(const ComposeGlobals& g);
  ~Progress();
  /// The sink to hand to the orchestrator.
  compose::plan::EventSink sink();
  void on_event(const compose::plan::Event& e);
  /// Freezes the live display (call before printing anything else).
  void finish();
  /// Prints text (whole lines) to stderr above the live lines, which stay at the bottom.
  void print(const std::string& text);

 private:
  struct Line {
    std::string kind, name, status;
    bool error = false, warning = false, done = false;
    std::chrono::steady_clock::time_point start, end;
  };
  void redraw();

  std::mutex mu_;
  bool live_ = false, quiet_ = false, colour_ = false;
  std::vector<Line> lines_;
  size_t drawn_ = 0;
};

/// The engine, progress and orchestrator of one compose command.
struct ComposeSession {
  ComposeSession(Context& ctx, const ComposeGlobals& g, compose::plan::RunOptions opts = {});
  ComposeEngine engine;
  Progress progress;
  compose::plan::Orchestrator orch;
};

/// "web-1" for container number 1 of service web (the log prefix name).
std::string log_name(const compose::plan::ContainerSummary& c);
/// Writes log lines with aligned, coloured "name  | " prefixes; thread-safe.
class LogPrinter {
 public:
  LogPrinter(bool colour, bool prefix, size_t width) : colour_(colour), prefix_(prefix), width_(width) {}
  /// A sink for one container's stream (buffers partial lines).
  compose::plan::OutputSink sink_for(const std::string& name, size_t colour_index);
  void line(const std::string& name, size_t colour_index, std::string_view text, int stream);

 private:
  std::mutex mu_;
  bool colour_, prefix_;
  size_t width_;
};

/// Streams the logs of `containers` concurrently through `printer` (prefix names and colours by
/// container), calling on_end(container) as each stream ends; returns when all have ended.
void stream_logs(ComposeEngine& engine, const std::vector<compose::plan::ContainerSummary>& containers,
                 LogPrinter& printer, const compose::plan::LogOptions& opts,
                 const std::function<void(const compose::plan::ContainerSummary&)>& on_end);
/// The widest log_name of `containers` (prefix alignment).
size_t log_width(const std::vector<compose::plan::ContainerSummary>& containers);

void register_compose_up(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_lifecycle(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_ps(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_logs(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_exec(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_build(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);
void register_compose_events(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g);

}  // namespace cli
