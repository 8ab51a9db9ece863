#pragma once
/// Pure decoders of request bodies: JSON in, typed arguments or a 400-class error naming
/// the field out. Kept apart from the routes so the API fuzz target (fuzz/api) reaches them.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"
#include "engine/network.h"

namespace engine::api {

/// POST /networks/create: Name (required), Driver (bridge), Internal, Attachable, EnableIPv6,
/// Labels, Options, IPAM {Driver, Config: at most one IPv4 {Subnet, Gateway, IPRange}}.
engine::base::Result<NetworkSpec> network_create_spec(const nlohmann::json& body);

/// POST /volumes/create arguments.
struct VolumeCreate {
  std::string name;              ///< "" = anonymous (generated)
  std::string driver = "local";
  std::map<std::string, std::string> labels, driver_opts;
};
/// POST /volumes/create: Name, Driver, Labels, DriverOpts (null body = all defaults).
engine::base::Result<VolumeCreate> volume_create_args(const nlohmann::json& body);

/// A string member: fallback when absent or null, InvalidArgument when not a string.
engine::base::Result<std::string> string_field(const nlohmann::json& obj, const char* field, const std::string& fallback);
/// A boolean member: fallback when absent or null, InvalidArgument when not a boolean.
engine::base::Result<bool> bool_field(const nlohmann::json& obj, const char* field, bool fallback);
/// An object of strings (Labels, Options): empty when absent or null.
engine::base::Result<std::map<std::string, std::string>> string_map_field(const nlohmann::json& obj, const char* field);

}  // namespace engine::api
