// berth compose down, stop, start, restart, kill, rm, pause, unpause.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/compose_project.h"

namespace cli {

namespace {

struct LifecycleFlags {
  std::vector<std::string> services;
  int timeout = -1;
  std::string signal = "SIGKILL", rmi;
  bool volumes = false, remove_orphans = false, force = false, stop = false;
};

compose::plan::RunOptions with_timeout(int t) {
  compose::plan::RunOptions o;
  o.stop_timeout_s = t;
  return o;
}

}  // namespace

void register_compose_lifecycle(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  {
    auto f = std::make_shared<LifecycleFlags>();
    CLI::App* cmd = compose.add_subcommand("down", "Stop and remove containers, networks");
    cmd->add_flag("-v,--volumes", f->volumes, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers");
    cmd->add_flag("--remove-orphans", f->remove_orphans, "Remove containers for services not defined in the Compose file");
    cmd->add_option("--rmi", f->rmi, "Remove images used by services. \"local\" remove only images that don't have a custom tag (\"local\"|\"all\")")
        ->check(CLI::IsMember({"local", "all"}));
    cmd->add_option("-t,--timeout", f->timeout, "Specify a shutdown timeout in seconds");
    cmd->callback([f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g);
      ComposeSession s(ctx, *g, with_timeout(f->timeout));
      compose::plan::DownOptions o;
      o.volumes = f->volumes;
      o.remove_orphans = f->remove_orphans;
      o.rmi = f->rmi;
      check_status(s.orch.down(p, o));
    });
  }
  auto add = [&](const char* name, const char* help, bool has_timeout) {
    auto f = std::make_shared<LifecycleFlags>();
    CLI::App* cmd = compose.add_subcommand(name, help);
    cmd->add_option("services", f->services, "Services (default: all)");
    if (has_timeout) cmd->add_option("-t,--timeout", f->timeout, "Specify a shutdown timeout in seconds");
    return std::make_pair(cmd, f);
  };
  {
    auto [cmd, f] = add("stop", "Stop services", true);
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g, with_timeout(f->timeout));
      check_status(s.orch.stop(p, f->services));
    });
  }
  {
    auto [cmd, f] = add("start", "Start services", false);
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      check_status(s.orch.start(p, f->services));
    });
  }
  {
    auto [cmd, f] = add("restart", "Restart service containers", true);
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g, with_timeout(f->timeout));
      check_status(s.orch.restart(p, f->services));
    });
  }
  {
    auto [cmd, f] = add("kill", "Force stop service containers", false);
    cmd->add_option("-s,--signal", f->signal, "SIGNAL to send to the container")->capture_default_str();
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      check_status(s.orch.kill(p, f->services, f->signal));
    });
  }
  for (bool unpause : {false, true}) {
    auto [cmd, f] = add(unpause ? "unpause" : "pause", unpause ? "Unpause services" : "Pause services", false);
    cmd->callback([f = f, g, &ctx, unpause] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      check_status(s.orch.pause(p, f->services, unpause));
    });
  }
  {
    auto [cmd, f] = add("rm", "Removes stopped service containers", false);
    cmd->add_flag("-f,--force", f->force, "Don't ask to confirm removal");
    cmd->add_flag("-s,--stop", f->stop, "Stop the containers, if required, before removing");
    cmd->add_flag("-v,--volumes", f->volumes, "Remove any anonymous volumes attached to containers");
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      check_status(s.orch.rm(p, f->services, f->stop, f->volumes));
    });
  }
  {
    auto [cmd, f] = add("wait", "Block until containers of all (or specified) services stop", false);
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, f->services, true);
      if (!cs) fail(cs.error().str());
      for (const auto& c : *cs) {
        auto code = s.engine.wait_container(c.id);
        if (!code) fail(code.error().str(), kExitDaemonError);
        std::printf("%lld\n", static_cast<long long>(*code));
      }
    });
  }
  {
    auto [cmd, f] = add("pull", "Pull service images", false);
    cmd->add_flag("--ignore-pull-failures", f->force, "Pull what it can and ignores images with pull failures");
    cmd->callback([f = f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      std::set<std::string> images;
      for (const auto& [name, svc] : p.services)
        if (!svc.image.empty() && (f->services.empty() || std::count(f->services.begin(), f->services.end(), name)))
          images.insert(svc.image);
      for (const std::string& ref : images) {
        s.progress.on_event({"Image", ref, "Pulling"});
        auto st = s.engine.pull_image(ref);
        s.progress.on_event({"Image", ref, st.ok() ? "Pulled" : "Error", !st.ok()});
        if (!st.ok() && !f->force) fail(st.error().str());
      }
    });
  }
}

}  // namespace cli
