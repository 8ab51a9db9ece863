// berth network create|ls|inspect|rm|prune|connect|disconnect, and berth events.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/context.h"
#include "cli/object_verbs.h"
#include "cli/format.h"
#include "cli/table.h"
#include "engine/base/time.h"

namespace cli {

using nlohmann::json;

namespace {

struct NetOpts {
  std::string name, driver = "bridge", subnet, gateway, ip_range, format, ip, since, until, container;
  std::vector<std::string> names, labels, opts, filters, aliases;
  bool internal = false, attachable = false, ipv6 = false, quiet = false, no_trunc = false, force = false;
};

}  // namespace

void register_network_commands(CLI::App& app, Context& ctx) {
  auto* net = app.add_subcommand("network", "Manage networks");
  net->require_subcommand(1);
  auto o = std::make_shared<NetOpts>();

  auto* create = net->add_subcommand("create", "Create a network");
  create->add_option("name", o->name, "Network name")->required();
  create->add_option("-d,--driver", o->driver, "Driver to manage the Network")->capture_default_str();
  create->add_option("--subnet", o->subnet, "Subnet in CIDR format that represents a network segment");
  create->add_option("--gateway", o->gateway, "IPv4 Gateway for the master subnet");
  create->add_option("--ip-range", o->ip_range, "Allocate container ip from a sub-range");
  create->add_flag("--internal", o->internal, "Restrict external access to the network");
  create->add_flag("--attachable", o->attachable, "Enable manual container attachment");
  create->add_flag("--ipv6", o->ipv6, "Enable IPv6 networking");
  create->add_option("--label", o->labels, "Set metadata on a network");
  create->add_option("-o,--opt", o->opts, "Set driver specific options");
  create->callback([&ctx, o] {
    json labels = json::object(), opts = json::object();
    for (const auto& l : o->labels) labels[l.substr(0, l.find('='))] = l.find('=') == std::string::npos ? "" : l.substr(l.find('=') + 1);
    for (const auto& l : o->opts) opts[l.substr(0, l.find('='))] = l.find('=') == std::string::npos ? "" : l.substr(l.find('=') + 1);
    json body = {{"Name", o->name}, {"Driver", o->driver}, {"Internal", o->internal}, {"Attachable", o->attachable},
                 {"EnableIPv6", o->ipv6}, {"Labels", labels}, {"Options", opts}, {"CheckDuplicate", true}};
    if (!o->subnet.empty()) {
      json c = {{"Subnet", o->subnet}};
      if (!o->gateway.empty()) c["Gateway"] = o->gateway;
      if (!o->ip_range.empty()) c["IPRange"] = o->ip_range;
      body["IPAM"] = {{"Driver", "default"}, {"Config", json::array({c})}};
    }
    HttpResponse r = check(ctx.connect().request("POST", "/networks/create", body.dump()));
    if (!r.ok()) fail_response(r, 1);
    std::printf("%s\n", r.json().value("Id", "").c_str());
  });

  auto* ls = net->add_subcommand("ls", "List networks");
  ls->alias("list");
  ls->add_flag("-q,--quiet", o->quiet, "Only display network IDs");
  ls->add_flag("--no-trunc", o->no_trunc, "Do not truncate the output");
  ls->add_option("-f,--filter", o->filters, "Provide filter values (e.g. 'driver=bridge')");
  ls->add_option("--format", o->format, "Output format: table or json");
  ls->callback([&ctx, o] {
    std::string path = "/networks";
    if (!o->filters.empty()) path += "?filters=" + url_encode(filters_json(o->filters));
    HttpResponse r = check(ctx.connect().request("GET", path));
    if (!r.ok()) fail_response(r);
    json list = r.json();
    if (o->format == "json") {
      for (const auto& n : list) std::printf("%s\n", n.dump().c_str());
      return;
    }
    if (o->quiet) {
      for (const auto& n : list) std::printf("%s\n", (o->no_trunc ? n.value("Id", "") : short_id(n.value("Id", ""))).c_str());
      return;
    }
    Table t({"NETWORK ID", "NAME", "DRIVER", "SCOPE"});
    for (const auto& n : list)
      t.add({o->no_trunc ? n.value("Id", "") : short_id(n.value("Id", "")), n.value("Name", ""), n.value("Driver", ""),
             n.value("Scope", "")});
    std::fputs(t.render().c_str(), stdout);
  });

  auto* inspect = net->add_subcommand("inspect", "Display detailed information on one or more networks");
  inspect->add_option("names", o->names, "Networks")->required();
  inspect->add_option("-f,--format", o->format, "Format the output using a template, or json");
  inspect->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    inspect_objects(api, o->names, [](const std::string& n) { return "/networks/" + url_encode(n); }, o->format);
  });

  auto* rm = net->add_subcommand("rm", "Remove one or more networks");
  rm->alias("remove");
  rm->add_option("names", o->names, "Networks")->required();
  rm->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    remove_objects(api, o->names, [](const std::string& n) { return "/networks/" + url_encode(n); });
  });

  auto* prune = net->add_subcommand("prune", "Remove all unused networks");
  prune->add_flag("-f,--force", o->force, "Do not prompt for confirmation");
  prune->callback([&ctx, o] {
    HttpResponse r = check(ctx.connect().request("POST", "/networks/prune"));
    if (!r.ok()) fail_response(r);
    auto d = r.json()["NetworksDeleted"];
    if (!d.empty()) {
      std::printf("Deleted Networks:\n");
      for (const auto& n : d) std::printf("%s\n", n.get<std::string>().c_str());
    }
  });

  auto* connect = net->add_subcommand("connect", "Connect a container to a network");
  connect->add_option("network", o->name, "Network")->required();
  connect->add_option("container", o->container, "Container")->required();
  connect->add_option("--alias", o->aliases, "Add network-scoped alias for the container");
  connect->add_option("--ip", o->ip, "IPv4 address (e.g., 172.30.100.104)");
  connect->callback([&ctx, o] {
    json ep = json::object();
    if (!o->aliases.empty()) ep["Aliases"] = o->aliases;
    if (!o->ip.empty()) ep["IPAMConfig"] = {{"IPv4Address", o->ip}};
    json body = {{"Container", o->container}, {"EndpointConfig", ep}};
    HttpResponse r = check(ctx.connect().request("POST", "/networks/" + url_encode(o->name) + "/connect", body.dump()));
    if (!r.ok()) fail_response(r, 1);
  });

  auto* disconnect = net->add_subcommand("disconnect", "Disconnect a container from a network");
  disconnect->add_option("network", o->name, "Network")->required();
  disconnect->add_option("container", o->container, "Container")->required();
  disconnect->add_flag("-f,--force", o->force, "Force the container to disconnect from a network");
  disconnect->callback([&ctx, o] {
    json body = {{"Container", o->container}, {"Force", o->force}};
    HttpResponse r = check(ctx.connect().request("POST", "/networks/" + url_encode(o->name) + "/disconnect", body.dump()));
    if (!r.ok()) fail_response(r, 1);
  });

  auto* events = app.add_subcommand("events", "Get real time events from the daemon");
  events->add_option("-f,--filter", o->filters, "Filter output based on conditions provided");
  events->add_option("--since", o->since, "Show all events created since timestamp");
  events->add_option("--until", o->until, "Stream events until this timestamp");
  events->add_option("--format", o->format, "Format the output: json or a template");
  events->callback([&ctx, o] {
    std::string path = "/events?";
    if (!o->since.empty()) path += "since=" + url_encode(o->since) + "&";
    if (!o->until.empty()) path += "until=" + url_encode(o->until) + "&";
    if (!o->filters.empty()) path += "filters=" + url_encode(filters_json(o->filters));
    std::string pending;
    auto r = ctx.connect().stream("GET", path, "", [&](std::string_view d) {
      pending.append(d);
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        auto j = json::parse(pending.substr(0, nl), nullptr, false);
        pending.erase(0, nl + 1);
        if (j.is_discarded()) continue;
        if (o->format == "json") {
          std::printf("%s\n", j.dump().c_str());
        } else if (!o->format.empty()) {
          std::printf("%s\n", render_format(o->format, j).c_str());
        } else {
          std::string attrs;
          for (auto& [k, v] : j["Actor"]["Attributes"].items())
            attrs += (attrs.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
          std::printf("%s %s %s %s (%s)\n",
                      engine::base::format_rfc3339_nano(j.value("timeNano", int64_t(0))).c_str(),
                      j.value("Type", "").c_str(), j.value("Action", "").c_str(),
                      j["Actor"].value("ID", "").c_str(), attrs.c_str());
        }
        std::fflush(stdout);
      }
      return true;
    });
    if (!r) fail(r.error().str(), kExitDaemonError);
    if (!r->ok()) fail_response(*r);
  });
}

}  // namespace cli
