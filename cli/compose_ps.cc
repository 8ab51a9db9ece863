// berth compose ps, ls, images, top, port: read-only views of a project's containers.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "cli/compose_project.h"
#include "cli/format.h"
#include "cli/table.h"
#include "compose/plan/labels.h"
#include "engine/base/time.h"

namespace cli {

namespace {

using compose::plan::ContainerSummary;

std::string label(const ContainerSummary& c, std::string_view key) {
  auto it = c.labels.find(std::string(key));
  return it == c.labels.end() ? "" : it->second;
}

/// "healthy" / "unhealthy" / "starting" from Docker's status text ("Up 2 seconds (healthy)").
std::string health_of(const std::string& status) {
  for (const char* h : {"unhealthy", "healthy", "health: starting"})
    if (status.find(std::string("(") + h + ")") != std::string::npos)
      return std::string(h) == "health: starting" ? "starting" : h;
  return "";
}

std::string created_ago(int64_t created_s) {
  int64_t ns = engine::base::now_ns() - created_s * 1000000000;
  return engine::base::human_duration(ns) + " ago";
}

struct PsFlags {
  std::vector<std::string> services, status;
  bool all = false, quiet = false, list_services = false;
  std::string format = "table";
};

}  // namespace

void register_compose_ps(CLI::App& compose, Context& ctx, std::shared_ptr<ComposeGlobals> g) {
  {
    auto f = std::make_shared<PsFlags>();
    CLI::App* cmd = compose.add_subcommand("ps", "List containers");
    cmd->add_option("services", f->services, "Services (default: all)");
    cmd->add_flag("-a,--all", f->all, "Show all stopped containers (including those created by the run command)");
    cmd->add_flag("-q,--quiet", f->quiet, "Only display IDs");
    cmd->add_flag("--services", f->list_services, "Display services");
    cmd->add_option("--status", f->status, "Filter services by status (created, running, paused, restarting, exited, dead)");
    cmd->add_option("--format", f->format, "Format the output: table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, f->services);
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, f->services, f->all || !f->status.empty());
      if (!cs) fail(cs.error().str());
      std::vector<ContainerSummary> list;
      for (auto& c : *cs)
        if (f->status.empty() || std::find(f->status.begin(), f->status.end(), c.state) != f->status.end())
          list.push_back(c);
      if (f->quiet) {
        for (auto& c : list) std::printf("%s\n", c.id.c_str());
        return;
      }
      if (f->list_services) {
        std::set<std::string> names;
        for (auto& c : list) names.insert(label(c, compose::plan::kLabelService));
        for (auto& n : names) std::printf("%s\n", n.c_str());
        return;
      }
      if (f->format == "json") {
        nlohmann::json out = nlohmann::json::array();
        for (auto& c : list) {
          out.push_back({{"ID", c.id}, {"Name", c.name}, {"Image", c.image}, {"Command", c.command},
                         {"Project", p.name}, {"Service", label(c, compose::plan::kLabelService)},
                         {"Created", c.created}, {"State", c.state}, {"Status", c.status},
                         {"Health", health_of(c.status)}, {"Ports", ports_text(c.ports)}, {"Publishers", c.ports},
                         {"Labels", c.labels}});
        }
        std::printf("%s\n", out.dump().c_str());
        return;
      }
      Table t({"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"});
      for (auto& c : list) {
        std::string cmdline = c.command.size() > 20 ? c.command.substr(0, 19) + "…" : c.command;
        t.add({c.name, c.image, "\"" + cmdline + "\"", label(c, compose::plan::kLabelService), created_ago(c.created),
               c.status, ports_text(c.ports)});
      }
      std::printf("%s", t.render().c_str());
    });
  }
  {
    auto all = std::make_shared<bool>(false);
    auto quiet = std::make_shared<bool>(false);
    auto format = std::make_shared<std::string>("table");
    CLI::App* cmd = compose.add_subcommand("ls", "List running compose projects");
    cmd->add_flag("-a,--all", *all, "Show all stopped Compose projects");
    cmd->add_flag("-q,--quiet", *quiet, "Only display project names");
    cmd->add_option("--format", *format, "Format the output: table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([all, quiet, format, &ctx] {
      ComposeEngine engine(ctx.connect());
      auto cs = engine.list_containers({std::string(compose::plan::kLabelProject)}, true);
      if (!cs) fail(cs.error().str());
      struct Proj {
        std::map<std::string, int> states;
        std::set<std::string> files;
      };
      std::map<std::string, Proj> projects;
      for (auto& c : *cs) {
        Proj& pr = projects[label(c, compose::plan::kLabelProject)];
        pr.states[c.state]++;
        if (std::string f = label(c, compose::plan::kLabelConfigFiles); !f.empty()) pr.files.insert(f);
      }
      nlohmann::json out = nlohmann::json::array();
      Table t({"NAME", "STATUS", "CONFIG FILES"});
      for (auto& [name, pr] : projects) {
        if (!*all && !pr.states.count("running")) continue;
        std::string status, files;
        for (auto& [st, n] : pr.states) status += (status.empty() ? "" : ", ") + st + "(" + std::to_string(n) + ")";
        for (auto& f : pr.files) files += (files.empty() ? "" : ",") + f;
        if (*quiet) std::printf("%s\n", name.c_str());
        out.push_back({{"Name", name}, {"Status", status}, {"ConfigFiles", files}});
        t.add({name, status, files});
      }
      if (*quiet) return;
      if (*format == "json") std::printf("%s\n", out.dump().c_str());
      else std::printf("%s", t.render().c_str());
    });
  }
  {
    auto services = std::make_shared<std::vector<std::string>>();
    auto quiet = std::make_shared<bool>(false);
    CLI::App* cmd = compose.add_subcommand("images", "List images used by the created containers");
    cmd->add_option("services", *services, "Services (default: all)");
    cmd->add_flag("-q,--quiet", *quiet, "Only display IDs");
    cmd->callback([services, quiet, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, *services);
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, *services, true);
      if (!cs) fail(cs.error().str());
      Table t({"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID"});
      for (auto& c : *cs) {
        std::string repo = c.image, tag = "latest";
        auto colon = repo.rfind(':');
        if (colon != std::string::npos && repo.find('/', colon) == std::string::npos)
          tag = repo.substr(colon + 1), repo = repo.substr(0, colon);
        std::string id = c.image_id.rfind("sha256:", 0) == 0 ? c.image_id.substr(7, 12) : c.image_id.substr(0, 12);
        if (*quiet) std::printf("%s\n", c.image_id.c_str());
        t.add({c.name, repo, tag, id});
      }
      if (!*quiet) std::printf("%s", t.render().c_str());
    });
  }
  {
    auto services = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = compose.add_subcommand("top", "Display the running processes");
    cmd->add_option("services", *services, "Services (default: all)");
    cmd->callback([services, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, *services);
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, *services, false);
      if (!cs) fail(cs.error().str());
      for (auto& c : *cs) {
        auto top = s.engine.top(c.id);
        if (!top) fail(top.error().str());
        std::vector<std::string> titles = top->value("Titles", std::vector<std::string>{});
        Table t(titles);
        for (const auto& row : top->value("Processes", nlohmann::json::array()))
          t.add(row.get<std::vector<std::string>>());
        std::printf("%s\n%s\n", c.name.c_str(), t.render().c_str());
      }
    });
  }
  {
    struct PortFlags {
      std::string service, protocol = "tcp";
      int port = 0, index = 1;
    };
    auto f = std::make_shared<PortFlags>();
    CLI::App* cmd = compose.add_subcommand("port", "Print the public port for a port binding");
    cmd->add_option("service", f->service, "Service")->required();
    cmd->add_option("private_port", f->port, "Private port")->required();
    cmd->add_option("--protocol", f->protocol, "tcp or udp")->capture_default_str();
    cmd->add_option("--index", f->index, "Index of the container if service has multiple replicas")->capture_default_str();
    cmd->callback([f, g, &ctx] {
      compose::model::Project p = load_compose_project(*g, {f->service});
      ComposeSession s(ctx, *g);
      auto cs = s.orch.containers(p, {f->service}, false);
      if (!cs) fail(cs.error().str());
      for (auto& c : *cs) {
        if (label(c, compose::plan::kLabelNumber) != std::to_string(f->index)) continue;
        for (const auto& port : c.ports) {
          if (port.value("PrivatePort", 0) != f->port || port.value("Type", "tcp") != f->protocol) continue;
          if (!port.contains("PublicPort")) continue;
          std::printf("%s:%d\n", port.value("IP", "0.0.0.0").c_str(), port["PublicPort"].get<int>());
          return;
        }
      }
      fail("no port " + std::to_string(f->port) + "/" + f->protocol + " published for service " + f->service);
    });
  }
}

}  // namespace cli
