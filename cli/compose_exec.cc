// berth compose exec and run: a command in a service's running container, or a one-off
// container of the service.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "cli/attach.h"
#include "cli/compose_project.h"
#include "compose/plan/create_body.h"
#include "compose/plan/labels.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace cli {

namespace {

struct ExecFlags {
  std::string service, user, workdir, name, entrypoint;
  std::vector<std::string> cmd, env, volumes, labels;
  int index = 1;
  bool no_tty = false, detach = false, privileged = false, rm = false, no_deps = false, service_ports = false;
  bool interactive = true;
  /// A TTY unless -T, when stdin is a terminal (as docker compose does).
  bool tty() const { return !no_tty && ::isatty(STDIN_FILENO) == 1; }
};

/// Adds -T, -i (stdin is attached by default, as in docker compose) and -d.
void add_stdio_flags(CLI::App* cmd, ExecFlags& f, const char* detach_help) {
  cmd->add_flag("-T,--no-TTY", f.no_tty, "Disable pseudo-TTY allocation (default: a TTY when stdin is a terminal)");
  cmd->add_flag("-i,--interactive", f.interactive, "Keep STDIN open even if not attached (default true)");
  cmd->add_flag("-d,--detach", f.detach, detach_help);
}

/// POST {path} hijacked, then our stdin to it and its output to ours until it closes.
void relay(const ApiClient& api, const std::string& path, const std::string& body, bool tty, bool send_stdin) {
  auto hj = api.hijack("POST", path, body);
  if (!hj) fail(hj.error().str(), kExitDaemonError);
  if (hj->fd < 0) fail_response(hj->head);
  engine::base::UniqueFd fd(hj->fd);
  relay_stream(fd.get(), hj->early, tty, send_stdin);
}

/// `compose exec`: exec create, then start detached (-d) or hijacked with stdin; returns the exit code.
int exec_in_service(ComposeEngine& engine, const std::string& id, const ExecFlags& f) {
  const ApiClient& api = engine.api();
  const bool tty = f.tty(), attach = !f.detach;
  nlohmann::json body = {{"AttachStdin", attach && f.interactive}, {"AttachStdout", attach}, {"AttachStderr", attach},
                         {"Tty", tty}, {"Cmd", f.cmd}, {"Env", f.env}, {"Privileged", f.privileged}};
  if (!f.user.empty()) body["User"] = f.user;
  if (!f.workdir.empty()) body["WorkingDir"] = f.workdir;
  HttpResponse c = check(api.request("POST", "/containers/" + url_encode(id) + "/exec", body.dump()));
  if (!c.ok()) fail_response(c);
  const std::string exec_id = c.json().value("Id", "");
  const std::string start = nlohmann::json{{"Detach", f.detach}, {"Tty", tty}}.dump();
  if (f.detach) {
    HttpResponse r = check(api.request("POST", "/exec/" + exec_id + "/start", start));
    if (!r.ok()) fail_response(r);
    return 0;
  }
  relay(api, "/exec/" + exec_id + "/start", start, tty, f.interactive);
  HttpResponse info = check(api.request("GET", "/exec/" + exec_id + "/json"));
  if (!info.ok()) fail_response(info);
  nlohmann::json j = info.json();
  return j["ExitCode"].is_number() ? j["ExitCode"].get<int>() : kExitDaemonError;
}

/// `compose run` attached: attach (with stdin) before start so no output is lost, wait for the exit.
int run_attached(ComposeEngine& engine, const std::string& id, const ExecFlags& f, bool tty) {
  const ApiClient& api = engine.api();
  std::string path = "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1" + (f.interactive ? "&stdin=1" : "");
  auto hj = api.hijack("POST", path);
  if (!hj) fail(hj.error().str(), kExitDaemonError);
  if (hj->fd < 0) fail_response(hj->head);
  engine::base::UniqueFd fd(hj->fd);
  // Waiting from before start: an exit can never be missed.
  engine::base::Result<int64_t> code = engine::base::internal("no exit status");
  std::thread waiter([&] {
    std::string out;
    auto r = api.stream("POST", "/containers/" + id + "/wait?condition=next-exit", "", [&](std::string_view d) {
      out.append(d);
      return true;
    });
    if (!r) code = r.take_error();
    else if (!r->ok()) code = engine::base::internal(r->error_message());
    else code = nlohmann::json::parse(out, nullptr, false).value("StatusCode", int64_t{-1});
  });
  if (auto st = engine.start_container(id); !st.ok()) {
    fd.reset();
    (void)engine.kill_container(id, "SIGKILL");
    waiter.join();
    fail(st.error().str(), kExitDaemonError);
  }
  relay_stream(fd.get(), hj->early, tty, f.interactive);
  waiter.join();
  if (!code) fail(code.error().str(), kExitDaemonError);
  return static_cast<int>(*code);
}

}  // namespace

void register_compose_exec(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  {
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = compose.add_subcommand("exec", "Execute a command in a running container");
    cmd->add_option("service", f->service, "Service")->required();
    add_stdio_flags(cmd, *f, "Detached mode: Run command in the background");
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
      if (f->cmd.empty()) fail("compose exec: a command is required after SERVICE");
      compose::model::Project p = load_compose_project(*g, {f->service});
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, {f->service}, false);
      if (!cs) fail(cs.error().str());
      const compose::plan::ContainerSummary* target = nullptr;
      for (auto& c : *cs)
        if (c.labels[std::string(compose::plan::kLabelNumber)] == std::to_string(f->index)) target = &c;
      if (!target) fail("service \"" + f->service + "\" is not running");
      if (int code = exec_in_service(s.engine, target->id, *f); code != 0) throw CLI::RuntimeError(code);
    });
  }
  {
    auto f = std::make_shared<ExecFlags>();
    CLI::App* cmd = compose.add_subcommand("run", "Run a one-off command on a service");
    cmd->add_option("service", f->service, "Service")->required();
    add_stdio_flags(cmd, *f, "Run container in background and print container ID");
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
      check_status(s.orch.prepare_files(p, {f->service}));
      auto spec = compose::plan::container_spec(p, svc->second, 1, true, s.orch.files_dir(p));
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
      const bool tty = f->tty() && !f->detach;
      b["Tty"] = tty;
      b["OpenStdin"] = f->interactive && !f->detach;
      b["StdinOnce"] = f->interactive && !f->detach;
      b["AttachStdin"] = f->interactive && !f->detach;
      std::string image = b.value("Image", "");
      if (auto id = s.engine.image_id(image); !id && id.error().code == engine::base::Code::NotFound) {
        if (svc->second.build) check_status(s.orch.build(p, {f->service}, {}));
        else check_status(s.engine.pull_image(image));
      }
      auto id = s.engine.create_container(name, b);
      if (!id) fail(id.error().str(), kExitDaemonError);
      for (const auto& [net, ep] : spec->extra_networks) check_status(s.engine.connect_network(net, *id, ep));
      if (f->detach) {
        check_status(s.engine.start_container(*id), kExitDaemonError);
        std::printf("%s\n", name.c_str());
        return;
      }
      int code = run_attached(s.engine, *id, *f, tty);
      if (f->rm) (void)s.engine.remove_container(*id, true, true);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  }
}

}  // namespace cli
