// berth compose up / create: converge the engine onto the compose file, then (attached)
// follow every container's output until Ctrl-C, or (-d) return once started / ready.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <thread>

#include "cli/compose_project.h"
#include "compose/plan/labels.h"
#include "engine/base/time.h"

namespace cli {

namespace {

struct UpFlags {
  std::vector<std::string> services, scale, attach, no_attach;
  bool detach = false, wait = false, force_recreate = false, no_recreate = false, no_deps = false;
  bool remove_orphans = false, no_start = false, build = false, no_build = false, abort_on_exit = false;
  bool no_prefix = false, no_colour = false, quiet_pull = false;
  std::string pull = "missing", exit_code_from;
  int timeout = -1, wait_timeout = 0;
};

compose::plan::UpOptions up_options(const UpFlags& f) {
  compose::plan::UpOptions o;
  o.services = f.services;
  o.no_deps = f.no_deps;
  o.force_recreate = f.force_recreate;
  o.no_recreate = f.no_recreate;
  o.remove_orphans = f.remove_orphans;
  o.no_start = f.no_start;
  o.pull = f.pull;
  o.build = f.build;
  o.no_build = f.no_build;
  if (f.build && f.no_build) fail("--build and --no-build are incompatible");
  for (const std::string& s : f.scale) {
    auto eq = s.find('=');
    if (eq == std::string::npos) fail("--scale " + s + ": expected SERVICE=NUM");
    try {
      o.scale[s.substr(0, eq)] = std::stoi(s.substr(eq + 1));
    } catch (...) {
      fail("--scale " + s + ": " + s.substr(eq + 1) + " is not a number");
    }
  }
  return o;
}

void add_convergence_flags(CLI::App* cmd, UpFlags& f) {
  cmd->add_option("services", f.services, "Services to bring up (default: all)");
  cmd->add_flag("--force-recreate", f.force_recreate, "Recreate containers even if their configuration and image haven't changed");
  cmd->add_flag("--no-recreate", f.no_recreate, "If containers already exist, don't recreate them");
  cmd->add_flag("--no-deps", f.no_deps, "Don't start linked services");
  cmd->add_flag("--remove-orphans", f.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_option("--pull", f.pull, "Pull image before running (\"always\"|\"missing\"|\"never\")")->capture_default_str();
  cmd->add_option("--scale", f.scale, "Scale SERVICE to NUM instances (SERVICE=NUM, repeatable)");
  cmd->add_flag("--build", f.build, "Build images before starting containers");
  cmd->add_flag("--no-build", f.no_build, "Don't build an image, even if it's missing");
  cmd->add_flag("--quiet-pull", f.quiet_pull, "Pull without printing progress information");
}

/// Attached mode: follow every attached container's output; Ctrl-C stops the stack
/// gracefully, a second Ctrl-C kills it. Returns the exit code of the command.
int attach(ComposeSession& s, const compose::model::Project& p, const UpFlags& f, const ComposeGlobals& g,
           int64_t since_ns) {
  auto cs = s.orch.containers(p, f.services, true);
  if (!cs) fail(cs.error().str());
  std::vector<compose::plan::ContainerSummary> shown;
  for (auto& c : *cs) {
    std::string svc = c.labels[std::string(compose::plan::kLabelService)];
    bool listed = f.attach.empty() || std::find(f.attach.begin(), f.attach.end(), svc) != f.attach.end();
    bool excluded = std::find(f.no_attach.begin(), f.no_attach.end(), svc) != f.no_attach.end();
    if (listed && !excluded) shown.push_back(c);
  }
  std::fprintf(stdout, "Attaching to %s\n", [&] {
    std::string names;
    for (auto& c : shown) names += (names.empty() ? "" : ", ") + log_name(c);
    return names;
  }().c_str());
  std::fflush(stdout);

  std::mutex mu;
  std::condition_variable cv;
  bool ended = false, abort = false;
  int signals = 0;
  std::string first_exited;
  // Signals go to one thread (sigwait), so a Ctrl-C never interrupts an engine call half-way.
  std::thread sig([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    for (;;) {
      int signo = 0;
      if (sigwait(&set, &signo) != 0) return;
      std::lock_guard<std::mutex> l(mu);
      ++signals;
      cv.notify_all();
    }
  });
  sig.detach();
  LogPrinter printer(!f.no_colour && use_colour(g, 1), !f.no_prefix, log_width(shown));
  std::thread logs([&] {
    compose::plan::LogOptions o;
    o.follow = true;
    // Only output produced since this `up` began, as attaching does (kept containers' history stays out).
    char since[32];
    std::snprintf(since, sizeof since, "%lld.%09lld", static_cast<long long>(since_ns / 1000000000),
                  static_cast<long long>(since_ns % 1000000000));
    o.since = since;
    stream_logs(s.engine, shown, printer, o, [&](const compose::plan::ContainerSummary& c) {
      std::lock_guard<std::mutex> l(mu);
      if (first_exited.empty()) first_exited = c.labels.at(std::string(compose::plan::kLabelService));
      if (f.abort_on_exit || !f.exit_code_from.empty()) abort = true;
      cv.notify_all();
    });
    std::lock_guard<std::mutex> l(mu);
    ended = true;
    cv.notify_all();
  });
  logs.detach();

  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return ended || abort || signals > 0; });
  bool stop = !ended;
  lock.unlock();
  if (stop) {
    std::fprintf(stderr, signals ? "Gracefully stopping... (press Ctrl+C again to force)\n"
                                 : "Aborting on container exit...\n");
    bool done = false;
    std::thread stopper([&] {
      (void)s.orch.stop(p, f.services);
      std::lock_guard<std::mutex> l(mu);
      done = true;
      cv.notify_all();
    });
    lock.lock();
    int seen = signals;
    cv.wait(lock, [&] { return done || signals > seen; });
    if (!done) {
      lock.unlock();
      (void)s.orch.kill(p, f.services, "SIGKILL");
      lock.lock();
    }
    lock.unlock();
    stopper.join();
    s.progress.finish();
  }
  int code = 0;
  if (!f.exit_code_from.empty()) {
    auto target = s.orch.containers(p, {f.exit_code_from}, true);
    if (target && !target->empty()) {
      auto st = s.engine.inspect_container(target->front().id);
      if (st) code = static_cast<int>(st->exit_code);
    }
  }
  std::fflush(stdout);
  std::fflush(stderr);
  // Log threads may still be blocked in a read; the process is done with them.
  std::_Exit(code);
}

}  // namespace

void register_compose_up(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  auto f = std::make_shared<UpFlags>();
  CLI::App* up = compose.add_subcommand("up", "Create and start containers");
  add_convergence_flags(up, *f);
  up->add_flag("-d,--detach", f->detach, "Detached mode: Run containers in the background");
  up->add_flag("--wait", f->wait, "Wait for services to be running|healthy. Implies detached mode");
  up->add_option("--wait-timeout", f->wait_timeout, "Maximum duration in seconds to wait for the project to be running|healthy");
  up->add_flag("--no-start", f->no_start, "Don't start the services after creating them");
  up->add_option("-t,--timeout", f->timeout, "Use this timeout in seconds for container shutdown when attached or when containers are already running");
  up->add_flag("--abort-on-container-exit", f->abort_on_exit, "Stops all containers if any container was stopped");
  up->add_option("--exit-code-from", f->exit_code_from, "Return the exit code of the selected service container (implies --abort-on-container-exit)");
  up->add_option("--attach", f->attach, "Restrict attaching to the specified services");
  up->add_option("--no-attach", f->no_attach, "Do not attach (stream logs) to the specified services");
  up->add_flag("--no-log-prefix", f->no_prefix, "Don't print prefix in logs");
  up->add_flag("--no-color", f->no_colour, "Produce monochrome output");
  up->callback([f, g, &ctx] {
    if (f->detach && (f->abort_on_exit || !f->exit_code_from.empty()))
      fail("--abort-on-container-exit and --exit-code-from cannot be combined with --detach");
    compose::model::Project p = load_compose_project(*g, f->services);
    compose::plan::RunOptions ro;
    ro.stop_timeout_s = f->timeout;
    if (f->wait_timeout > 0) ro.timeout = std::chrono::seconds(f->wait_timeout);
    bool attached = !f->detach && !f->wait && !f->no_start;
    if (attached) {
      // Block the stop signals before any thread exists, so only attach()'s sigwait sees them.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
    }
    ComposeSession s(ctx, *g, ro);
    int64_t started_ns = engine::base::now_ns();
    check_status(s.orch.up(p, up_options(*f)));
    if (f->wait) check_status(s.orch.wait_ready(p, f->services));
    s.progress.finish();
    if (attached) attach(s, p, *f, *g, started_ns);
  });

  auto cf = std::make_shared<UpFlags>();
  CLI::App* create = compose.add_subcommand("create", "Creates containers for a service");
  add_convergence_flags(create, *cf);
  create->callback([cf, g, &ctx] {
    compose::model::Project p = load_compose_project(*g, cf->services);
    ComposeSession s(ctx, *g);
    compose::plan::UpOptions o = up_options(*cf);
    o.no_start = true;
    check_status(s.orch.up(p, o));
  });
}

}  // namespace cli
