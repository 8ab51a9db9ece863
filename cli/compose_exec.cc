// berth compose exec and run: a command in a service's running container, or a one-off
// container of the service.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/compose_project.h"
#include "compose/plan/create_body.h"
#include "compose/plan/labels.h"
#include "engine/base/strings.h"

namespace cli {

namespace {

struct ExecFlags {
  std::string service, user, workdir, name, entrypoint;
  std::vector<std::string> cmd, env, volumes, labels;
  int index = 1;
  bool no_tty = false, detach = false, privileged = false, rm = false, no_deps = false, service_ports = false;
};

/// Writes exec/run output to our stdout and stderr as it arrives.
compose::plan::OutputSink passthrough() {
  return [](int stream, std::string_view d) {
    std::FILE* out = stream == 2 ? stderr : stdout;
    std::fwrite(d.data(), 1, d.size(), out);
    std::fflush(out);
    return true;
  };
}

}  // namespace

void register_compose_exec(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  {
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = compose.add_subcommand("exec", "Execute a command in a running container");
    cmd->add_option("service", f->service, "Service")->required();
    cmd->add_flag("-T,--no-TTY", f->no_tty, "Disable pseudo-TTY allocation (output is never a TTY in this build)");
    cmd->add_flag("-d,--detach", f->detach, "Detached mode: Run command in the background");
    cmd->add_option("-u,--user", f->user, "Run the command as this user");
    cmd->add_option("-w,--workdir", f->workdir, "Path to workdir directory for this command");
    cmd->add_option("-e,--env", f->env, "Set environment variables (KEY=VALUE, repeatable)");
    cmd->add_option("--index", f->index, "Index of the container if service has multiple replicas")->capture_default_str();
    cmd->add_flag("--privileged", f->privileged, "Give extended privileges to the process");
    // Everything after SERVICE is the command, options included (`exec web sh -c "..."`).
    cmd->prefix_command();
    cmd->fallthrough(false);  // leftover words are the command, not the parent's
    cmd->footer("The command follows SERVICE: berth compose " + cmd->get_name() + " [OPTIONS] SERVICE COMMAND [ARGS...]");
    cmd->callback([f, g, cmd, &ctx] {
      f->cmd = cmd->remaining();
      if (f->detach) fail("compose exec -d: detached exec is not supported yet");
      if (f->cmd.empty()) fail("compose exec: a command is required after SERVICE");
      compose::model::Project p = load_compose_project(*g, {f->service});
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, {f->service}, false);
      if (!cs) fail(cs.error().str());
      const compose::plan::ContainerSummary* target = nullptr;
      for (auto& c : *cs)
        if (c.labels[std::string(compose::plan::kLabelNumber)] == std::to_string(f->index)) target = &c;
      if (!target) fail("service \"" + f->service + "\" is not running");
      compose::plan::ExecOptions o;
      o.cmd = f->cmd;
      o.env = f->env;
      o.user = f->user;
      o.working_dir = f->workdir;
      o.privileged = f->privileged;
      auto code = s.engine.exec(target->id, o, passthrough());
      if (!code) fail(code.error().str(), kExitDaemonError);
      if (*code != 0) throw CLI::RuntimeError(static_cast<int>(*code));
    });
  }
  {
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = compose.add_subcommand("run", "Run a one-off command on a service");
    cmd->add_option("service", f->service, "Service")->required();
    cmd->add_flag("-d,--detach", f->detach, "Run container in background and print container ID");
    cmd->add_flag("--rm", f->rm, "Automatically remove the container when it exits");
    cmd->add_option("-e,--env", f->env, "Set environment variables (KEY=VALUE, repeatable)");
    cmd->add_option("-v,--volume", f->volumes, "Bind mount a volume (SRC:DST[:ro], repeatable)");
    cmd->add_option("-l,--label", f->labels, "Add or override a label (KEY=VALUE, repeatable)");
    cmd->add_option("--name", f->name, "Assign a name to the container");
    cmd->add_option("--entrypoint", f->entrypoint, "Override the entrypoint of the image");
    cmd->add_option("-u,--user", f->user, "Run as specified username or uid");
    cmd->add_option("-w,--workdir", f->workdir, "Working directory inside the container");
    cmd->add_flag("--no-deps", f->no_deps, "Don't start linked services");
    cmd->add_flag("--service-ports", f->service_ports, "Run command with the service's ports enabled and mapped to the host");
    cmd->add_flag("-T,--no-TTY", f->no_tty, "Disable pseudo-TTY allocation (output is never a TTY in this build)");
    // Everything after SERVICE is the command, options included (`exec web sh -c "..."`).
    cmd->prefix_command();
    cmd->fallthrough(false);  // leftover words are the command, not the parent's
    cmd->footer("The command follows SERVICE: berth compose " + cmd->get_name() + " [OPTIONS] SERVICE COMMAND [ARGS...]");
    cmd->callback([f, g, cmd, &ctx] {
      f->cmd = cmd->remaining();
      compose::model::Project p = load_compose_project(*g, {f->service});
      auto svc = p.services.find(f->service);
      if (svc == p.services.end()) fail("no such service: " + f->service);
      ComposeSession s(ctx, *g);
      // Dependencies first, as `up` would start them (with their conditions).
      if (!f->no_deps && !svc->second.depends_on.empty()) {
        compose::plan::UpOptions o;
        for (const auto& [dep, d] : svc->second.depends_on)
          if (p.services.count(dep)) o.services.push_back(dep);
        check_status(s.orch.up(p, o));
      }
      s.progress.finish();
      auto spec = compose::plan::container_spec(p, svc->second, 1, true);
      if (!spec) fail(spec.error().str());
      nlohmann::json& b = spec->body;
      std::string name = !f->name.empty() ? f->name
                                          : p.name + "-" + f->service + "-run-" + engine::base::random_hex(6);
      if (!f->cmd.empty()) b["Cmd"] = f->cmd;
      if (!f->entrypoint.empty()) b["Entrypoint"] = engine::base::split(f->entrypoint, ' ');
      for (const std::string& e : f->env) b["Env"].push_back(e);
      for (const std::string& v : f->volumes) b["HostConfig"]["Binds"].push_back(v);
      for (const std::string& l : f->labels) {
        auto eq = l.find('=');
        b["Labels"][l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
      }
      if (!f->user.empty()) b["User"] = f->user;
      if (!f->workdir.empty()) b["WorkingDir"] = f->workdir;
      if (!f->service_ports) b["HostConfig"]["PortBindings"] = nlohmann::json::object();
      b["HostConfig"]["RestartPolicy"] = {{"Name", "no"}};
      b["HostConfig"]["AutoRemove"] = false;
      std::string image = b.value("Image", "");
      if (auto id = s.engine.image_id(image); !id && id.error().code == engine::base::Code::NotFound)
        check_status(s.engine.pull_image(image));
      auto id = s.engine.create_container(name, b);
      if (!id) fail(id.error().str(), kExitDaemonError);
      for (const auto& [net, ep] : spec->extra_networks) check_status(s.engine.connect_network(net, *id, ep));
      check_status(s.engine.start_container(*id), kExitDaemonError);
      if (f->detach) {
        std::printf("%s\n", name.c_str());
        return;
      }
      compose::plan::LogOptions lo;
      lo.follow = true;
      check_status(s.engine.container_logs(*id, lo, passthrough()));
      auto code = s.engine.wait_container(*id);
      if (f->rm) (void)s.engine.remove_container(*id, true, true);
      if (!code) fail(code.error().str(), kExitDaemonError);
      if (*code != 0) throw CLI::RuntimeError(static_cast<int>(*code));
    });
  }
}

}  // namespace cli
