#include "engine/api/body_decode.h"

namespace engine::api {

using engine::base::invalid;
using engine::base::Result;
using nlohmann::json;

Result<std::string> string_field(const json& obj, const char* field, const std::string& fallback) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_string()) return invalid(std::string(field) + " must be a string");
  return it->get<std::string>();
}

Result<bool> bool_field(const json& obj, const char* field, bool fallback) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return invalid(std::string(field) + " must be a boolean");
  return it->get<bool>();
}

Result<std::map<std::string, std::string>> string_map_field(const json& obj, const char* field) {
  std::map<std::string, std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return invalid(std::string(field) + " must be an object of strings");
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) return invalid(std::string(field) + "." + k + " must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

namespace {
/// Applies the one IPAM config berth supports (an IPv4 subnet) to spec.
engine::base::Status ipam_into(const json& ipam, NetworkSpec& spec) {
  if (!ipam.is_object()) return invalid("IPAM must be an object");
  auto drv = string_field(ipam, "Driver", "default");
  if (!drv) return drv.take_error().wrap("IPAM");
  if (!drv->empty() && *drv != "default") return invalid("IPAM driver \"" + *drv + "\" is not supported");
  auto cfg = ipam.find("Config");
  if (cfg == ipam.end() || cfg->is_null()) return {};
  if (!cfg->is_array()) return invalid("IPAM.Config must be an array");
  if (cfg->size() > 1) return invalid("only one IPAM config (one IPv4 subnet) per network is supported");
  for (const auto& c : *cfg) {
    if (!c.is_object()) return invalid("IPAM.Config entries must be objects");
    auto subnet = string_field(c, "Subnet", ""), gateway = string_field(c, "Gateway", ""),
         range = string_field(c, "IPRange", "");
    if (!subnet) return subnet.take_error().wrap("IPAM.Config");
    if (!gateway) return gateway.take_error().wrap("IPAM.Config");
    if (!range) return range.take_error().wrap("IPAM.Config");
    spec.subnet = *subnet;
    spec.gateway = *gateway;
    spec.ip_range = *range;
    if (spec.subnet.find(':') != std::string::npos)
      return invalid("IPv6 subnets are not supported yet: " + spec.subnet);
  }
  return {};
}
}  // namespace

Result<NetworkSpec> network_create_spec(const json& b) {
  if (!b.is_object() || !b.contains("Name") || !b["Name"].is_string() || b["Name"].get<std::string>().empty())
    return invalid("network create: Name is required");
  NetworkSpec spec;
  spec.name = b["Name"].get<std::string>();
  auto driver = string_field(b, "Driver", "bridge");
  if (!driver) return driver.take_error().wrap("network create");
  spec.driver = driver->empty() ? "bridge" : *driver;
  if (spec.driver != "bridge") return invalid("network driver \"" + spec.driver + "\" is not supported (only \"bridge\")");
  auto internal = bool_field(b, "Internal", false), attachable = bool_field(b, "Attachable", false),
       ipv6 = bool_field(b, "EnableIPv6", false);
  if (!internal) return internal.take_error().wrap("network create");
  if (!attachable) return attachable.take_error().wrap("network create");
  if (!ipv6) return ipv6.take_error().wrap("network create");
  spec.internal = *internal;
  spec.attachable = *attachable;
  spec.enable_ipv6 = *ipv6;
  if (spec.enable_ipv6) return invalid("IPv6 networks are not supported yet (enable_ipv6)");
  auto labels = string_map_field(b, "Labels"), options = string_map_field(b, "Options");
  if (!labels) return labels.take_error().wrap("network create");
  if (!options) return options.take_error().wrap("network create");
  spec.labels = std::move(*labels);
  spec.options = std::move(*options);
  if (auto ipam = b.find("IPAM"); ipam != b.end() && !ipam->is_null()) BERTH_TRY(ipam_into(*ipam, spec));
  return spec;
}

Result<VolumeCreate> volume_create_args(const json& body) {
  json j = body.is_null() ? json::object() : body;
  if (!j.is_object()) return invalid("volume create: body must be a JSON object");
  VolumeCreate v;
  auto labels = string_map_field(j, "Labels"), opts = string_map_field(j, "DriverOpts");
  if (!labels) return labels.take_error();
  if (!opts) return opts.take_error();
  auto name = string_field(j, "Name", ""), driver = string_field(j, "Driver", "local");
  if (!name) return name.take_error().wrap("volume create");
  if (!driver) return driver.take_error().wrap("volume create");
  v.name = *name;
  v.driver = driver->empty() ? "local" : *driver;
  v.labels = std::move(*labels);
  v.driver_opts = std::move(*opts);
  return v;
}

}  // namespace engine::api
