#include "engine/api/network_routes.h"

#include "engine/api/body_decode.h"
#include "engine/api/filters.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace engine::api {

using namespace engine::base;
using nlohmann::json;

json network_json(const NetworkInfo& n) {
  json ipam_cfg = json::array();
  if (!n.spec.subnet.empty()) {
    json c = {{"Subnet", n.spec.subnet}};
    if (!n.spec.gateway.empty()) c["Gateway"] = n.spec.gateway;
    if (!n.spec.ip_range.empty()) c["IPRange"] = n.spec.ip_range;
    ipam_cfg.push_back(c);
  }
  json containers = json::object();
  for (const auto& e : n.endpoints)
    containers[e.container_id] = {{"Name", e.container_name},
                                  {"EndpointID", e.endpoint_id},
                                  {"MacAddress", e.mac},
                                  {"IPv4Address", e.ipv4.empty() ? "" : e.ipv4 + "/" + std::to_string(e.prefix_len)},
                                  {"IPv6Address", ""}};
  std::string created = format_rfc3339_nano(n.created_ns);
  return {{"Name", n.spec.name},
          {"Id", n.spec.id},
          {"Created", created},
          {"Scope", n.scope},
          {"Driver", n.spec.driver},
          {"EnableIPv6", false},
          {"IPAM", {{"Driver", "default"}, {"Options", json::object()}, {"Config", ipam_cfg}}},
          {"Internal", n.spec.internal},
          {"Attachable", n.spec.attachable},
          {"Ingress", false},
          {"ConfigFrom", {{"Network", ""}}},
          {"ConfigOnly", false},
          {"Containers", containers},
          {"Options", n.spec.options},
          {"Labels", n.spec.labels}};
}

static bool predefined(const std::string& name) { return name == "bridge" || name == "host" || name == "none"; }

void add_network_routes(Router& r, NetworkDeps d) {
  r.get("/networks", [d](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""), {"name", "id", "label", "driver", "type", "scope", "dangling"});
    if (!f) return ex.respond_error(f.error());
    auto nets = d.network->list_networks();
    if (!nets) return ex.respond_error(nets.error());
    json out = json::array();
    for (const auto& n : *nets) {
      if (!f->match_substring("name", n.spec.name) || !f->match_exact("driver", n.spec.driver) ||
          !f->match_labels(n.spec.labels))
        continue;
      if (f->has("id")) {
        bool any = false;
        for (const auto& v : f->values("id"))
          if (starts_with(n.spec.id, v)) any = true;
        if (!any) continue;
      }
      if (f->has("type")) {
        std::string type = predefined(n.spec.name) ? "builtin" : "custom";
        if (!f->match_exact("type", type)) continue;
      }
      if (f->has("dangling")) {
        bool want = f->values("dangling")[0] == "true" || f->values("dangling")[0] == "1";
        bool dangling = !predefined(n.spec.name) && n.endpoints.empty();
        if (want != dangling) continue;
      }
      json j = network_json(n);
      j["Containers"] = json::object();  // list omits them, as Docker does
      out.push_back(j);
    }
    ex.respond_json(out);
  });

  r.get("/networks/{id}", [d](Exchange& ex) {
    auto n = d.network->inspect_network(ex.req().params.at("id"));
    if (!n) return ex.respond_error(not_found("network " + ex.req().params.at("id") + " not found"));
    ex.respond_json(network_json(*n));
  });

  r.post("/networks/create", [d](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    auto parsed = network_create_spec(*body);
    if (!parsed) return ex.respond_error(parsed.error());
    const NetworkSpec& spec = *parsed;
    if (predefined(spec.name))
      return ex.respond_error(make_error(Code::AlreadyExists, "network with name " + spec.name + " already exists"));
    auto info = d.network->create_network(spec);
    if (!info) return ex.respond_error(info.error());
    if (d.events) d.events->publish({"network", "create", info->spec.id, {{"name", info->spec.name}, {"type", "bridge"}}, 0});
    ex.respond_json({{"Id", info->spec.id}, {"Warning", ""}}, 201);
  });

  r.del("/networks/{id}", [d](Exchange& ex) {
    auto n = d.network->inspect_network(ex.req().params.at("id"));
    if (!n) return ex.respond_error(not_found("network " + ex.req().params.at("id") + " not found"));
    if (predefined(n->spec.name))
      return ex.respond_json({{"message", n->spec.name + " is a pre-defined network and cannot be removed"}}, 403);
    if (d.containers) {
      auto users = d.containers->network_users(n->spec.id);
      auto by_name = d.containers->network_users(n->spec.name);
      users.insert(users.end(), by_name.begin(), by_name.end());
      if (!users.empty())
        return ex.respond_json({{"message", "error while removing network: network " + n->spec.name + " id " +
                                                n->spec.id + " has active endpoints"}},
                               403);
    }
    auto st = d.network->remove_network(n->spec.id);
    if (!st) return ex.respond_error(st.error());
    if (d.events) d.events->publish({"network", "destroy", n->spec.id, {{"name", n->spec.name}, {"type", "bridge"}}, 0});
    ex.respond_empty(204);
  });

  r.post("/networks/prune", [d](Exchange& ex) {
    auto nets = d.network->list_networks();
    if (!nets) return ex.respond_error(nets.error());
    json deleted = json::array();
    for (const auto& n : *nets) {
      if (predefined(n.spec.name) || !n.endpoints.empty()) continue;
      if (d.containers && (!d.containers->network_users(n.spec.id).empty() || !d.containers->network_users(n.spec.name).empty()))
        continue;
      if (d.network->remove_network(n.spec.id).ok()) {
        deleted.push_back(n.spec.name);
        if (d.events) d.events->publish({"network", "destroy", n.spec.id, {{"name", n.spec.name}, {"type", "bridge"}}, 0});
      }
    }
    ex.respond_json({{"NetworksDeleted", deleted}});
  });

  r.post("/networks/{id}/connect", [d](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    if (!body->is_object() || !(*body).contains("Container")) return ex.respond_error(invalid("Container is required"));
    container::NetworkAttachment a;
    const json& ec = body->value("EndpointConfig", json::object());
    if (ec.is_object()) {
      if (ec.contains("Aliases") && ec["Aliases"].is_array())
        for (const auto& al : ec["Aliases"])
          if (al.is_string()) a.aliases.push_back(al.get<std::string>());
      if (ec.contains("IPAMConfig") && ec["IPAMConfig"].is_object()) a.ipv4_address = ec["IPAMConfig"].value("IPv4Address", "");
      a.mac_address = ec.value("MacAddress", "");
    }
    auto st = d.containers->connect((*body)["Container"].get<std::string>(), ex.req().params.at("id"), a);
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(200);
  });

  r.post("/networks/{id}/disconnect", [d](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    if (!body->is_object() || !(*body).contains("Container")) return ex.respond_error(invalid("Container is required"));
    auto n = d.network->inspect_network(ex.req().params.at("id"));
    if (!n) return ex.respond_error(not_found("network " + ex.req().params.at("id") + " not found"));
    auto st = d.containers->disconnect((*body)["Container"].get<std::string>(), n->spec.name, body->value("Force", false));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(200);
  });
}

}  // namespace engine::api
