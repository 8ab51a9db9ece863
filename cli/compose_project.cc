// Shared pieces of the compose verbs (see compose_project.h).
#include "cli/compose_project.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "compose/load/env_file.h"
#include "compose/plan/labels.h"
#include "engine/base/fs.h"

namespace cli {

namespace {

/// Statuses after which an object has nothing more going on.
bool is_done(const std::string& s) {
  static const char* kDone[] = {"Created", "Started", "Healthy", "Running", "Removed",  "Stopped",
                                "Exited",  "Pulled",  "Built",   "Pushed",  "Restarted", "Killed",
                                "Paused",  "Unpaused", "Error",  "Unhealthy"};
  for (const char* d : kDone)
    if (s == d) return true;
  return s.rfind("Exited", 0) == 0;
}

const char* kColours[] = {"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m",
                          "\033[96m", "\033[93m", "\033[92m", "\033[95m", "\033[94m"};

}  // namespace

compose::model::Project load_compose_project(ComposeGlobals& g, const std::vector<std::string>& services) {
  compose::load::LoadOptions opts = g.load;
  opts.services = services;
  auto p = compose::load::load_project(opts);
  if (!p) fail(p.error().str(), 1);
  for (const std::string& w : p->warnings) std::fprintf(stderr, "WARN[0000] %s\n", w.c_str());
  g.project_dir = p->working_dir;
  return std::move(*p);
}

void check_status(const engine::base::Status& st, int code) {
  if (!st.ok()) fail(st.error().str(), code);
}

bool use_colour(const ComposeGlobals& g, int fd) {
  if (g.ansi == "never") return false;
  if (g.ansi == "always") return true;
  if (std::getenv("NO_COLOR")) return false;
  return isatty(fd) == 1;
}

compose::plan::EnvLookup project_env(const ComposeGlobals& g) {
  // Read once, here: the orchestrator calls the lookup from several threads.
  auto files = std::make_shared<std::map<std::string, std::string>>();
  std::vector<std::string> paths = g.load.env_files;
  if (paths.empty() && !g.project_dir.empty()) paths.push_back(g.project_dir + "/.env");
  compose::load::Environment shell = compose::load::Environment::process();
  for (const std::string& path : paths) {
    auto text = engine::base::read_file(path);
    if (!text) continue;  // the loader already reported unreadable --env-file files
    auto pairs = compose::load::parse_env_file(*text, path, shell);
    if (!pairs) continue;
    for (auto& [k, v] : *pairs) (*files)[k] = v;
  }
  return [files](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    auto it = files->find(name);
    if (it == files->end()) return std::nullopt;
    return it->second;
  };
}

std::string compose_files_base() {
  if (const char* d = std::getenv("BERTH_COMPOSE_DIR"); d && *d) return d;
  return "/run/berth-compose";
}

Progress::Progress(const ComposeGlobals& g) {
  quiet_ = g.progress == "quiet";
  live_ = g.progress == "tty" || (g.progress == "auto" && isatty(2) == 1);
  colour_ = use_colour(g, 2);
}

Progress::~Progress() { finish(); }

compose::plan::EventSink Progress::sink() {
  return [this](const compose::plan::Event& e) { on_event(e); };
}

void Progress::on_event(const compose::plan::Event& e) {
  if (quiet_) return;
  std::lock_guard<std::mutex> l(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!live_) {
    std::string text = e.kind + " " + e.name + "  " + e.status;
    if (e.warning) text = "WARN[0000] " + text;
    std::fprintf(stderr, " %s\n", text.c_str());
    return;
  }
  Line* line = nullptr;
  for (Line& l2 : lines_)
    if (l2.kind == e.kind && l2.name == e.name) line = &l2;
  if (!line) {
    lines_.push_back(Line{e.kind, e.name, "", false, false, false, now, now});
    line = &lines_.back();
  }
  if (line->done && !is_done(e.status)) line->start = now;  // a new phase (Stopping after Started)
  line->status = e.status;
  line->error = e.error;
  line->warning = e.warning;
  line->done = is_done(e.status) || e.warning;
  line->end = now;
  redraw();
}

void Progress::redraw() {
  std::string out;
  if (drawn_) out += "\033[" + std::to_string(drawn_) + "A";
  for (const Line& l : lines_) {
    auto end = l.done ? l.end : std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(end - l.start).count();
    const char* mark = l.error ? "✘" : l.warning ? "!" : l.done ? "✔" : "⠿";
    std::string colour = !colour_ ? "" : l.error ? "\033[31m" : l.warning ? "\033[33m" : l.done ? "\033[32m" : "";
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1fs", secs);
    std::string name = l.kind + " " + l.name;
    if (name.size() < 32) name.resize(32, ' ');
    std::string status = l.status;
    if (status.size() < 12) status.resize(12, ' ');
    out += "\r\033[2K " + colour + mark + (colour_ ? "\033[0m" : "") + " " + name + " " + status + " " + elapsed + "\n";
  }
  drawn_ = lines_.size();
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void Progress::print(const std::string& text) {
  if (quiet_) return;
  std::lock_guard<std::mutex> l(mu_);
  if (live_ && drawn_) std::fprintf(stderr, "\033[%zuA\033[J", drawn_);
  std::fputs(text.c_str(), stderr);
  drawn_ = 0;
  if (live_ && !lines_.empty()) redraw();
  std::fflush(stderr);
}

void Progress::finish() {
  std::lock_guard<std::mutex> l(mu_);
  if (live_ && !lines_.empty()) redraw();
  lines_.clear();
  drawn_ = 0;
}

namespace {

/// RunOptions with the project environment, the files directory and build/push output filled in.
compose::plan::RunOptions session_options(const ComposeGlobals& g, compose::plan::RunOptions o, Progress& progress) {
  if (!o.env) o.env = project_env(g);
  if (o.files_base.empty()) o.files_base = compose_files_base();
  if (!o.image_output) {
    // "service  | line" on stderr, whole lines only (build steps arrive in pieces).
    auto partial = std::make_shared<std::map<std::string, std::string>>();
    auto mu = std::make_shared<std::mutex>();
    o.image_output = [partial, mu, &progress](const std::string& service, std::string_view text) {
      std::string out;
      {
        std::lock_guard<std::mutex> l(*mu);
        std::string& buf = (*partial)[service];
        buf.append(text);
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
          out += service + "  | " + buf.substr(0, nl) + "\n";
          buf.erase(0, nl + 1);
        }
      }
      if (!out.empty()) progress.print(out);
    };
  }
  return o;
}

}  // namespace

ComposeSession::ComposeSession(Context& ctx, const ComposeGlobals& g, compose::plan::RunOptions opts)
    : engine(ctx.connect()), progress(g), orch(engine, progress.sink(), session_options(g, std::move(opts), progress)) {}

std::string log_name(const compose::plan::ContainerSummary& c) {
  auto svc = c.labels.find(std::string(compose::plan::kLabelService));
  auto num = c.labels.find(std::string(compose::plan::kLabelNumber));
  if (svc == c.labels.end()) return c.name;
  return svc->second + "-" + (num == c.labels.end() ? "1" : num->second);
}

compose::plan::OutputSink LogPrinter::sink_for(const std::string& name, size_t colour_index) {
  auto partial = std::make_shared<std::array<std::string, 3>>();
  return [this, name, colour_index, partial](int stream, std::string_view data) {
    std::string& buf = (*partial)[stream == 2 ? 2 : 1];
    buf.append(data);
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      line(name, colour_index, std::string_view(buf).substr(0, nl), stream);
      buf.erase(0, nl + 1);
    }
    return true;
  };
}

void LogPrinter::line(const std::string& name, size_t colour_index, std::string_view text, int) {
  std::string out;
  if (prefix_) {
    std::string padded = name;
    if (padded.size() < width_) padded.resize(width_, ' ');
    if (colour_) out += kColours[colour_index % (sizeof kColours / sizeof *kColours)];
    out += padded + "  | ";
    if (colour_) out += "\033[0m";
  }
  out.append(text);
  out += '\n';
  std::lock_guard<std::mutex> l(mu_);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace cli
