// Container verbs: run, create, start, stop, restart, kill, rm, ps, logs, exec,
// inspect, wait, top, pause, unpause, rename, port.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "cli/attach.h"
#include "cli/container_flags.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/table.h"

namespace cli {

using nlohmann::json;

namespace {

std::string q(const std::string& s) { return url_encode(s); }

/// Exit code for a failed start, as docker's: 127 not found, 126 cannot invoke, else 125.
int start_failure_code(const std::string& msg) {
  if (msg.find("executable file not found") != std::string::npos || msg.find("no such file or directory") != std::string::npos)
    return kExitNotFound;
  if (msg.find("permission denied") != std::string::npos) return kExitCannotInvoke;
  return kExitDaemonError;
}

/// Pulls REF through the daemon, printing progress lines; false on failure.
bool pull_image(const ApiClient& api, const std::string& ref) {
  std::string name = ref, tag = "latest";
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (ref.find('@') != std::string::npos) {
    tag.clear();
  } else if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    name = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
  }
  std::string path = "/images/create?fromImage=" + q(name) + (tag.empty() ? "" : "&tag=" + q(tag));
  std::string pending, error;
  auto r = api.stream("POST", path, "", [&](std::string_view chunk) {
    pending.append(chunk);
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      auto j = json::parse(pending.substr(0, nl), nullptr, false);
      pending.erase(0, nl + 1);
      if (j.is_discarded()) continue;
      if (j.contains("error")) error = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
      else if (j.contains("status") && !j.contains("progressDetail"))
        std::fprintf(stderr, "%s%s\n", j.contains("id") ? (j["id"].get<std::string>() + ": ").c_str() : "",
                     j["status"].get<std::string>().c_str());
    }
    return true;
  });
  if (!r) {
    std::fprintf(stderr, "berth: %s\n", r.error().str().c_str());
    return false;
  }
  if (!r->ok()) {
    std::fprintf(stderr, "Error response from daemon: %s\n", r->error_message().c_str());
    return false;
  }
  if (!error.empty()) {
    std::fprintf(stderr, "Error response from daemon: %s\n", error.c_str());
    return false;
  }
  return true;
}

/// POST /containers/create, pulling the image first when missing (as docker run does).
std::string create_container(const ApiClient& api, const ContainerFlags& f) {
  auto body = create_body(f);
  if (!body) fail(body.error().str(), kExitDaemonError);
  std::string image = f.command[0];
  if (f.pull == "always" && !pull_image(api, image)) throw CLI::RuntimeError(kExitDaemonError);
  std::string path = "/containers/create" + (f.name.empty() ? std::string() : "?name=" + q(f.name));
  HttpResponse r = check(api.request("POST", path, body->dump()));
  if (r.status == 404 && r.error_message().rfind("No such image", 0) == 0 && f.pull != "never") {
    std::fprintf(stderr, "Unable to find image '%s' locally\n", image.c_str());
    if (!pull_image(api, image)) throw CLI::RuntimeError(kExitDaemonError);
    r = check(api.request("POST", path, body->dump()));
  }
  if (!r.ok()) fail_response(r);
  std::string id = r.json().value("Id", "");
  if (!f.cidfile.empty()) {
    std::ofstream(f.cidfile) << id;
  }
  return id;
}

int run_container(const Context& ctx, const ContainerFlags& f) {
  ApiClient api = ctx.connect();
  std::string id = create_container(api, f);
  if (f.detach) {
    HttpResponse s = check(api.request("POST", "/containers/" + id + "/start"));
    if (!s.ok()) {
      std::fprintf(stderr, "Error response from daemon: %s\n", s.error_message().c_str());
      return start_failure_code(s.error_message());
    }
    std::printf("%s\n", id.c_str());
    return 0;
  }
  // Attach before start so no output is lost, and wait from before start so no exit is missed.
  std::string attach_path = "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1" + (f.interactive ? "&stdin=1" : "");
  auto hj = api.hijack("POST", attach_path);
  if (!hj) fail(hj.error().str(), kExitDaemonError);
  if (hj->fd < 0) fail_response(hj->head);
  int exit_code = -1;
  std::string wait_error;
  std::string cond = f.rm ? "removed" : "next-exit";
  std::thread waiter([&] {
    std::string body;
    auto r = api.stream("POST", "/containers/" + id + "/wait?condition=" + cond, "", [&](std::string_view d) {
      body.append(d);
      return true;
    });
    if (!r || !r->ok()) {
      wait_error = r ? r->error_message() : r.error().str();
      return;
    }
    auto j = json::parse(body, nullptr, false);
    if (j.is_object()) exit_code = j.value("StatusCode", -1);
  });
  HttpResponse s = check(api.request("POST", "/containers/" + id + "/start"));
  if (!s.ok()) {
    ::close(hj->fd);
    std::fprintf(stderr, "Error response from daemon: %s\n", s.error_message().c_str());
    if (f.rm) (void)api.request("DELETE", "/containers/" + id + "?force=1");
    waiter.detach();
    return start_failure_code(s.error_message());
  }
  relay_stream(hj->fd, hj->early, f.tty, f.interactive);
  ::close(hj->fd);
  waiter.join();
  if (exit_code < 0) {
    if (!wait_error.empty()) std::fprintf(stderr, "Error waiting for container: %s\n", wait_error.c_str());
    return kExitDaemonError;
  }
  return exit_code;
}

struct Args {
  std::vector<std::string> ids;
  std::string format, signal, tail = "all", since, until, user, workdir, name, filter_format;
  std::vector<std::string> filters, env, command;
  int timeout = -1, last = -1;
  bool all = false, quiet = false, no_trunc = false, force = false, volumes = false, follow = false,
       timestamps = false, interactive = false, tty = false, detach = false, latest = false, privileged = false;
};

/// Runs op for every ID; prints the ID on success, the error otherwise; exit 1 if any failed.
void for_each(const Context& ctx, const std::vector<std::string>& ids,
              const std::function<HttpResponse(const ApiClient&, const std::string&)>& op, bool print = true) {
  ApiClient api = ctx.connect();
  int rc = 0;
  for (const auto& id : ids) {
    HttpResponse r = op(api, id);
    if (!r.ok() && r.status != 304) {
      std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
      rc = 1;
      continue;
    }
    if (print) std::printf("%s\n", id.c_str());
  }
  if (rc) throw CLI::RuntimeError(rc);
}

void print_logs(const Context& ctx, const Args& a) {
  ApiClient api = ctx.connect();
  HttpResponse insp = check(api.request("GET", "/containers/" + q(a.ids[0]) + "/json"));
  if (!insp.ok()) fail_response(insp, 1);
  bool tty = insp.json()["Config"].value("Tty", false);
  std::string path = "/containers/" + q(a.ids[0]) + "/logs?stdout=1&stderr=1&tail=" + q(a.tail) +
                     (a.follow ? "&follow=1" : "") + (a.timestamps ? "&timestamps=1" : "");
  if (!a.since.empty()) path += "&since=" + q(a.since);
  if (!a.until.empty()) path += "&until=" + q(a.until);
  std::string buf;
  auto r = api.stream("GET", path, "", [&](std::string_view d) {
    buf.append(d);
    if (tty) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      std::fflush(stdout);
      buf.clear();
      return true;
    }
    while (buf.size() >= 8) {
      uint32_t len = (uint32_t(uint8_t(buf[4])) << 24) | (uint32_t(uint8_t(buf[5])) << 16) |
                     (uint32_t(uint8_t(buf[6])) << 8) | uint32_t(uint8_t(buf[7]));
      if (buf.size() < 8 + len) break;
      FILE* out = buf[0] == 2 ? stderr : stdout;
      std::fwrite(buf.data() + 8, 1, len, out);
      std::fflush(out);
      buf.erase(0, 8 + len);
    }
    return true;
  });
  if (!r) fail(r.error().str(), kExitDaemonError);
  if (!r->ok()) fail_response(*r, 1);
}

int exec_in(const Context& ctx, const Args& a) {
  ApiClient api = ctx.connect();
  json body = {{"AttachStdin", a.interactive && !a.detach}, {"AttachStdout", !a.detach}, {"AttachStderr", !a.detach},
               {"Tty", a.tty}, {"Cmd", a.command}, {"Privileged", a.privileged}};
  if (!a.env.empty()) body["Env"] = a.env;
  if (!a.user.empty()) body["User"] = a.user;
  if (!a.workdir.empty()) body["WorkingDir"] = a.workdir;
  HttpResponse c = check(api.request("POST", "/containers/" + q(a.ids[0]) + "/exec", body.dump()));
  if (!c.ok()) fail_response(c);
  std::string exec_id = c.json().value("Id", "");
  json start = {{"Detach", a.detach}, {"Tty", a.tty}};
  if (a.detach) {
    HttpResponse s = check(api.request("POST", "/exec/" + exec_id + "/start", start.dump()));
    if (!s.ok()) fail_response(s);
    return 0;
  }
  auto hj = api.hijack("POST", "/exec/" + exec_id + "/start", start.dump());
  if (!hj) fail(hj.error().str(), kExitDaemonError);
  if (hj->fd < 0) {
    std::string msg = hj->head.error_message();
    std::fprintf(stderr, "%s\n", msg.c_str());
    return msg.find("not found") != std::string::npos ? kExitNotFound : kExitCannotInvoke;
  }
  relay_stream(hj->fd, hj->early, a.tty, a.interactive);
  ::close(hj->fd);
  HttpResponse i = check(api.request("GET", "/exec/" + exec_id + "/json"));
  if (!i.ok()) fail_response(i);
  auto j = i.json();
  return j["ExitCode"].is_number() ? j["ExitCode"].get<int>() : kExitDaemonError;
}

}  // namespace

void register_container_commands(CLI::App& app, Context& ctx) {
  auto rf = std::make_shared<ContainerFlags>();
  auto* run = app.add_subcommand("run", "Create and run a new container from an image");
  add_container_flags(*run, *rf, true);
  run->callback([&ctx, rf] {
    rf->command = ctx.command_tail;
    int rc = run_container(ctx, *rf);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto cf = std::make_shared<ContainerFlags>();
  auto* create = app.add_subcommand("create", "Create a new container");
  add_container_flags(*create, *cf, false);
  create->callback([&ctx, cf] {
    cf->command = ctx.command_tail;
    ApiClient api = ctx.connect();
    std::printf("%s\n", create_container(api, *cf).c_str());
  });

  auto a = std::make_shared<Args>();
  {
    auto* sub = app.add_subcommand("start", "Start one or more stopped containers");
    sub->add_option("containers", a->ids, "Containers")->required();
    sub->callback([&ctx, a] {
      for_each(ctx, a->ids, [&](const ApiClient& api, const std::string& id) {
        return check(api.request("POST", "/containers/" + q(id) + "/start"));
      });
    });
  }
  for (const char* verb : {"stop", "restart"}) {
    auto* sub = app.add_subcommand(verb, std::string(verb) == "stop" ? "Stop one or more running containers"
                                                                    : "Restart one or more containers");
    sub->add_option("containers", a->ids, "Containers")->required();
    sub->add_option("-t,--time", a->timeout, "Seconds to wait before killing the container");
    sub->add_option("-s,--signal", a->signal, "Signal to send to the container");
    std::string v = verb;
    sub->callback([&ctx, a, v] {
      std::string qs = "?";
      if (a->timeout >= 0) qs += "t=" + std::to_string(a->timeout) + "&";
      if (!a->signal.empty()) qs += "signal=" + q(a->signal);
      for_each(ctx, a->ids, [&](const ApiClient& api, const std::string& id) {
        return check(api.request("POST", "/containers/" + q(id) + "/" + v + qs));
      });
    });
  }
  {
    auto* sub = app.add_subcommand("kill", "Kill one or more running containers");
    sub->add_option("containers", a->ids, "Containers")->required();
    sub->add_option("-s,--signal", a->signal, "Signal to send to the container");
    sub->callback([&ctx, a] {
      for_each(ctx, a->ids, [&](const ApiClient& api, const std::string& id) {
        return check(api.request("POST", "/containers/" + q(id) + "/kill" + (a->signal.empty() ? "" : "?signal=" + q(a->signal))));
      });
    });
  }
  {
    auto* sub = app.add_subcommand("rm", "Remove one or more containers");
    sub->add_option("containers", a->ids, "Containers")->required();
    sub->add_flag("-f,--force", a->force, "Force the removal of a running container (uses SIGKILL)");
    sub->add_flag("-v,--volumes", a->volumes, "Remove anonymous volumes associated with the container");
    sub->callback([&ctx, a] {
      for_each(ctx, a->ids, [&](const ApiClient& api, const std::string& id) {
        return check(api.request("DELETE", "/containers/" + q(id) + "?force=" + (a->force ? "1" : "0") +
                                               "&v=" + (a->volumes ? "1" : "0")));
      });
    });
  }
  for (const char* verb : {"pause", "unpause"}) {
    auto* sub = app.add_subcommand(verb, std::string(verb) == "pause" ? "Pause all processes within one or more containers"
                                                                     : "Unpause all processes within one or more containers");
    sub->add_option("containers", a->ids, "Containers")->required();
    std::string v = verb;
    sub->callback([&ctx, a, v] {
      for_each(ctx, a->ids, [&](const ApiClient& api, const std::string& id) {
        return check(api.request("POST", "/containers/" + q(id) + "/" + v));
      });
    });
  }
  {
    auto* sub = app.add_subcommand("wait", "Block until one or more containers stop, then print their exit codes");
    sub->add_option("containers", a->ids, "Containers")->required();
    sub->callback([&ctx, a] {
      ApiClient api = ctx.connect();
      int rc = 0;
      for (const auto& id : a->ids) {
        std::string body;
        auto r = api.stream("POST", "/containers/" + q(id) + "/wait", "", [&](std::string_view d) {
          body.append(d);
          return true;
        });
        if (!r) fail(r.error().str(), kExitDaemonError);
        if (!r->ok()) {
          std::fprintf(stderr, "Error response from daemon: %s\n", r->error_message().c_str());
          rc = 1;
          continue;
        }
        auto j = json::parse(body, nullptr, false);
        std::printf("%d\n", j.is_object() ? j.value("StatusCode", -1) : -1);
      }
      if (rc) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto* sub = app.add_subcommand("rename", "Rename a container");
    sub->add_option("container", a->name, "Container")->required();
    sub->add_option("new_name", a->ids, "New name")->required()->expected(1);
    sub->callback([&ctx, a] {
      HttpResponse r = check(ctx.connect().request("POST", "/containers/" + q(a->name) + "/rename?name=" + q(a->ids[0])));
      if (!r.ok()) fail_response(r, 1);
    });
  }
  {
    auto* sub = app.add_subcommand("ps", "List containers");
    sub->add_flag("-a,--all", a->all, "Show all containers (default shows just running)");
    sub->add_flag("-q,--quiet", a->quiet, "Only display container IDs");
    sub->add_flag("--no-trunc", a->no_trunc, "Don't truncate output");
    sub->add_flag("-l,--latest", a->latest, "Show the latest created container (includes all states)");
    sub->add_option("-n,--last", a->last, "Show n last created containers (includes all states)");
    sub->add_option("-f,--filter", a->filters, "Filter output based on conditions provided");
    sub->add_option("--format", a->format, "Output format: table, json, or a template like {{.Names}}");
    sub->callback([&ctx, a] {
      bool all = a->all || a->latest || a->last > 0;
      std::string path = "/containers/json?all=" + std::string(all ? "1" : "0");
      if (a->latest) path += "&limit=1";
      else if (a->last > 0) path += "&limit=" + std::to_string(a->last);
      if (!a->filters.empty()) path += "&filters=" + q(filters_json(a->filters));
      HttpResponse r = check(ctx.connect().request("GET", path));
      if (!r.ok()) fail_response(r);
      json list = r.json();
      if (a->quiet) {
        for (const auto& c : list) std::printf("%s\n", (a->no_trunc ? c.value("Id", "") : short_id(c.value("Id", ""))).c_str());
        return;
      }
      if (a->format == "json") {
        for (const auto& c : list) std::printf("%s\n", c.dump().c_str());
        return;
      }
      if (!a->format.empty() && a->format != "table") {
        for (const auto& c : list) {
          json view = c;
          view["ID"] = short_id(c.value("Id", ""));
          std::string names;
          for (const auto& n : c["Names"]) names += (names.empty() ? "" : ",") + n.get<std::string>().substr(1);
          view["Names"] = names;
          view["Ports"] = ports_text(c["Ports"]);
          std::printf("%s\n", render_format(a->format, view).c_str());
        }
        return;
      }
      Table t({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
      for (const auto& c : list) {
        std::string names;
        for (const auto& n : c["Names"]) names += (names.empty() ? "" : ",") + n.get<std::string>().substr(1);
        std::string cmd = "\"" + (a->no_trunc ? c.value("Command", "") : ellipsis(c.value("Command", ""), 20)) + "\"";
        t.add({a->no_trunc ? c.value("Id", "") : short_id(c.value("Id", "")), c.value("Image", ""), cmd,
               ago(c.value("Created", int64_t(0))), c.value("Status", ""), ports_text(c["Ports"]), names});
      }
      std::fputs(t.render().c_str(), stdout);
    });
  }
  {
    auto* sub = app.add_subcommand("logs", "Fetch the logs of a container");
    sub->add_option("container", a->ids, "Container")->required()->expected(1);
    sub->add_flag("-f,--follow", a->follow, "Follow log output");
    sub->add_option("-n,--tail", a->tail, "Number of lines to show from the end of the logs")->capture_default_str();
    sub->add_flag("-t,--timestamps", a->timestamps, "Show timestamps");
    sub->add_option("--since", a->since, "Show logs since timestamp (Unix seconds)");
    sub->add_option("--until", a->until, "Show logs before a timestamp (Unix seconds)");
    sub->callback([&ctx, a] { print_logs(ctx, *a); });
  }
  {
    auto* sub = app.add_subcommand("exec", "Execute a command in a running container");
    sub->add_flag("-i,--interactive", a->interactive, "Keep STDIN open even if not attached");
    sub->add_flag("-t,--tty", a->tty, "Allocate a pseudo-TTY");
    sub->add_flag("-d,--detach", a->detach, "Detached mode: run command in the background");
    sub->add_option("-u,--user", a->user, "Username or UID (format: <name|uid>[:<group|gid>])");
    sub->add_option("-w,--workdir", a->workdir, "Working directory inside the container");
    sub->add_option("-e,--env", a->env, "Set environment variables");
    sub->add_flag("--privileged", a->privileged, "Give extended privileges to the command");
    // CONTAINER COMMAND [ARG...] is cut off argv before parsing (see main.cc).
    sub->footer("Arguments: CONTAINER COMMAND [ARG...]");
    sub->callback([&ctx, a] {
      const auto& rest = ctx.command_tail;
      if (rest.size() < 2) fail("\"exec\" requires at least 2 arguments: CONTAINER COMMAND [ARG...]", 1);
      a->ids = {rest[0]};
      a->command.assign(rest.begin() + 1, rest.end());
      int rc = exec_in(ctx, *a);
      if (rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto* sub = app.add_subcommand("inspect", "Return low-level information on berth objects");
    sub->add_option("names", a->ids, "Containers, images, networks or volumes")->required();
    sub->add_option("-f,--format", a->format, "Format the output using a template ({{.State.Status}}) or json");
    sub->add_option("--type", a->name, "Only inspect objects of the given type (container, image, network, volume)");
    sub->callback([&ctx, a] {
      ApiClient api = ctx.connect();
      json out = json::array();
      int rc = 0;
      for (const auto& id : a->ids) {
        std::vector<std::string> paths;
        if (a->name.empty() || a->name == "container") paths.push_back("/containers/" + q(id) + "/json");
        if (a->name.empty() || a->name == "image") paths.push_back("/images/" + id + "/json");
        if (a->name.empty() || a->name == "network") paths.push_back("/networks/" + q(id));
        if (a->name.empty() || a->name == "volume") paths.push_back("/volumes/" + q(id));
        bool found = false;
        for (const auto& p : paths) {
          HttpResponse r = check(api.request("GET", p));
          if (r.ok()) {
            out.push_back(r.json());
            found = true;
            break;
          }
          if (r.status != 404) {
            std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
            rc = 1;
            found = true;
            break;
          }
        }
        if (!found) {
          std::fprintf(stderr, "Error: No such object: %s\n", id.c_str());
          rc = 1;
        }
      }
      if (!a->format.empty() && a->format != "json") {
        for (const auto& o : out) std::printf("%s\n", render_format(a->format, o).c_str());
      } else {
        std::printf("%s\n", out.dump(4).c_str());
      }
      if (rc) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto* sub = app.add_subcommand("top", "Display the running processes of a container");
    sub->add_option("container", a->ids, "Container")->required()->expected(1);
    sub->callback([&ctx, a] {
      HttpResponse r = check(ctx.connect().request("GET", "/containers/" + q(a->ids[0]) + "/top"));
      if (!r.ok()) fail_response(r, 1);
      auto j = r.json();
      std::vector<std::string> titles = j["Titles"].get<std::vector<std::string>>();
      Table t(titles);
      for (const auto& p : j["Processes"]) t.add(p.get<std::vector<std::string>>());
      std::fputs(t.render().c_str(), stdout);
    });
  }
  {
    auto* sub = app.add_subcommand("port", "List port mappings or a specific mapping for the container");
    sub->add_option("args", a->ids, "CONTAINER [PRIVATE_PORT[/PROTO]]")->required()->expected(1, 2);
    sub->callback([&ctx, a] {
      a->name = a->ids.size() > 1 ? a->ids[1] : "";
      HttpResponse r = check(ctx.connect().request("GET", "/containers/" + q(a->ids[0]) + "/json"));
      if (!r.ok()) fail_response(r, 1);
      auto ports = r.json()["NetworkSettings"]["Ports"];
      std::string want = a->name;
      if (!want.empty() && want.find('/') == std::string::npos) want += "/tcp";
      bool any = false;
      if (ports.is_object())
        for (auto& [k, binds] : ports.items()) {
          if (!binds.is_array() || (!want.empty() && k != want)) continue;
          for (const auto& b : binds) {
            any = true;
            if (want.empty()) std::printf("%s -> %s:%s\n", k.c_str(), b.value("HostIp", "").c_str(), b.value("HostPort", "").c_str());
            else std::printf("%s:%s\n", b.value("HostIp", "").c_str(), b.value("HostPort", "").c_str());
          }
        }
      if (!want.empty() && !any) fail("No public port '" + want + "' published for " + a->ids[0], 1);
    });
  }
}

}  // namespace cli
