#include "engine/image/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace engine::image {

using base::Result;
using nlohmann::json;

namespace {

std::vector<std::string> string_list(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const json& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> object_keys(const json& j) {
  std::vector<std::string> out;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  std::sort(out.begin(), out.end());
  return out;
}

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json set_json(const std::vector<std::string>& keys) {
  json o = json::object();
  for (const std::string& k : keys) o[k] = json::object();
  return o;
}

}  // namespace

json container_config_to_json(const ContainerConfig& c) {
  json j = json::object();
  if (!c.user.empty()) j["User"] = c.user;
  if (!c.exposed_ports.empty()) j["ExposedPorts"] = set_json(c.exposed_ports);
  if (!c.env.empty()) j["Env"] = c.env;
  if (c.entrypoint) j["Entrypoint"] = *c.entrypoint;
  if (c.cmd) j["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) j["Volumes"] = set_json(c.volumes);
  if (!c.working_dir.empty()) j["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) j["Labels"] = c.labels;
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.healthcheck) {
    const HealthConfig& h = *c.healthcheck;
    json hj = {{"Test", h.test}};
    if (h.interval_ns) hj["Interval"] = h.interval_ns;
    if (h.timeout_ns) hj["Timeout"] = h.timeout_ns;
    if (h.start_period_ns) hj["StartPeriod"] = h.start_period_ns;
    if (h.retries) hj["Retries"] = h.retries;
    j["Healthcheck"] = hj;
  }
  if (c.args_escaped) j["ArgsEscaped"] = true;
  if (!c.on_build.empty()) j["OnBuild"] = c.on_build;
  return j;
}

Result<ContainerConfig> container_config_from_json(const json& j) {
  ContainerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) return base::invalid("image config: \"config\" is not an object");
  c.user = str_field(j, "User");
  if (j.contains("ExposedPorts")) c.exposed_ports = object_keys(j["ExposedPorts"]);
  if (j.contains("Env")) c.env = string_list(j["Env"]);
  if (j.contains("Entrypoint") && j["Entrypoint"].is_array()) c.entrypoint = string_list(j["Entrypoint"]);
  if (j.contains("Cmd") && j["Cmd"].is_array()) c.cmd = string_list(j["Cmd"]);
  if (j.contains("Volumes")) c.volumes = object_keys(j["Volumes"]);
  c.working_dir = str_field(j, "WorkingDir");
  if (auto it = j.find("Labels"); it != j.end() && it->is_object())
    for (auto l = it->begin(); l != it->end(); ++l)
      if (l->is_string()) c.labels[l.key()] = l->get<std::string>();
  c.stop_signal = str_field(j, "StopSignal");
  if (auto it = j.find("Healthcheck"); it != j.end() && it->is_object()) {
    HealthConfig h;
    h.test = string_list(it->value("Test", json::array()));
    auto num = [&](const char* k) -> int64_t {
      auto f = it->find(k);
      return f != it->end() && f->is_number_integer() ? f->get<int64_t>() : 0;
    };
    h.interval_ns = num("Interval");
    h.timeout_ns = num("Timeout");
    h.start_period_ns = num("StartPeriod");
    h.retries = static_cast<int>(num("Retries"));
    c.healthcheck = h;
  }
  if (auto it = j.find("ArgsEscaped"); it != j.end() && it->is_boolean()) c.args_escaped = it->get<bool>();
  if (j.contains("OnBuild")) c.on_build = string_list(j["OnBuild"]);
  return c;
}

std::string image_config_to_json(const ImageConfig& c) {
  json j = json::object();
  j["architecture"] = c.architecture;
  if (!c.author.empty()) j["author"] = c.author;
  j["config"] = container_config_to_json(c.config);
  if (!c.created.empty()) j["created"] = c.created;
  json hist = json::array();
  for (const HistoryItem& h : c.history) {
    json e = json::object();
    if (!h.created.empty()) e["created"] = h.created;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    hist.push_back(e);
  }
  if (!c.history.empty()) j["history"] = hist;
  j["os"] = c.os;
  json ids = json::array();
  for (const Digest& d : c.diff_ids) ids.push_back(d.str());
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", ids}};
  if (!c.variant.empty()) j["variant"] = c.variant;
  return j.dump();
}

Result<ImageConfig> parse_image_config(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::invalid("image config: not a JSON object");
  ImageConfig c;
  c.created = str_field(j, "created");
  c.author = str_field(j, "author");
  c.architecture = str_field(j, "architecture");
  c.os = str_field(j, "os");
  c.variant = str_field(j, "variant");
  if (auto it = j.find("config"); it != j.end()) {
    auto cc = container_config_from_json(*it);
    if (!cc) return cc.take_error();
    c.config = std::move(*cc);
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) return base::invalid("image config: missing rootfs");
  for (const std::string& s : string_list(rootfs->value("diff_ids", json::array()))) {
    auto d = parse_digest(s);
    if (!d) return d.take_error().wrap("image config: rootfs.diff_ids");
    c.diff_ids.push_back(*d);
  }
  if (auto it = j.find("history"); it != j.end() && it->is_array()) {
    for (const json& h : *it) {
      if (!h.is_object()) continue;
      HistoryItem item;
      item.created = str_field(h, "created");
      item.created_by = str_field(h, "created_by");
      item.author = str_field(h, "author");
      item.comment = str_field(h, "comment");
      item.empty_layer = h.value("empty_layer", false);
      c.history.push_back(std::move(item));
    }
  }
  return c;
}

}  // namespace engine::image
