#include "engine/container/record.h"

#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/network_json.h"

namespace engine::container {

using nlohmann::json;
using namespace engine::base;

namespace {
/// j[key] as T, or fallback when missing or null (records written by older versions).
template <class T>
T get(const json& j, const char* key, T fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}
}  // namespace

std::map<std::string, std::string> Container::labels() const {
  std::map<std::string, std::string> out;
  if (config.contains("Labels") && config["Labels"].is_object())
    for (auto& [k, v] : config["Labels"].items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

json to_record(const Container& c) {
  json nets = json::object();
  for (const auto& [name, n] : c.networks) {
    json e = {{"network_id", n.network_id}, {"aliases", n.aliases}, {"ipv4_address", n.ipv4_address},
              {"mac_address", n.mac_address}};
    if (n.endpoint) e["endpoint"] = json(*n.endpoint);
    nets[name] = e;
  }
  json mounts = json::array();
  for (const auto& m : c.mounts)
    mounts.push_back({{"type", m.type}, {"name", m.name}, {"source", m.source}, {"destination", m.destination},
                      {"rw", m.rw}, {"mode", m.mode}, {"propagation", m.propagation}, {"options", m.options}});
  json ports = json::array();
  for (const auto& p : c.ports) ports.push_back(json(p));
  return {{"id", c.id},
          {"name", c.name},
          {"created_ns", c.created_ns},
          {"image", c.image},
          {"image_id", c.image_id},
          {"path_args", c.path_args},
          {"config", c.config},
          {"host_config", c.host_config},
          {"networks", nets},
          {"mounts", mounts},
          {"ports", ports},
          {"netns_path", c.netns_path},
          {"state",
           {{"status", c.state.status},
            {"pid", c.state.pid},
            {"exit_code", c.state.exit_code},
            {"oom_killed", c.state.oom_killed},
            {"error", c.state.error},
            {"started_ns", c.state.started_ns},
            {"finished_ns", c.state.finished_ns},
            {"health",
             {{"status", c.state.health.status},
              {"failing_streak", c.state.health.failing_streak},
              {"log", c.state.health.log}}}}},
          {"restart_count", c.restart_count},
          {"manually_stopped", c.manually_stopped},
          {"has_been_started", c.has_been_started},
          {"log_path", c.log_path},
          {"hosts_path", c.hosts_path},
          {"resolv_conf_path", c.resolv_conf_path},
          {"hostname_path", c.hostname_path}};
}

Result<Container> from_record(const json& j) {
  try {
    Container c;
    c.id = j.at("id").get<std::string>();
    c.name = j.value("name", "");
    c.created_ns = j.value("created_ns", int64_t(0));
    c.image = j.value("image", "");
    c.image_id = j.value("image_id", "");
    c.path_args = j.value("path_args", std::vector<std::string>{});
    c.config = j.value("config", json::object());
    c.host_config = j.value("host_config", json::object());
    // Bound to a local: a range-for over items() of a temporary would dangle.
    const json nets = get<json>(j, "networks", json::object());
    for (auto& [name, n] : nets.items()) {
      NetworkAttachment a;
      a.network_id = n.value("network_id", "");
      a.aliases = n.value("aliases", std::vector<std::string>{});
      a.ipv4_address = n.value("ipv4_address", "");
      a.mac_address = n.value("mac_address", "");
      if (n.contains("endpoint")) a.endpoint = n["endpoint"].get<EndpointInfo>();
      c.networks[name] = a;
    }
    for (const auto& m : j.value("mounts", json::array())) {
      MountPoint mp;
      mp.type = m.value("type", "");
      mp.name = m.value("name", "");
      mp.source = m.value("source", "");
      mp.destination = m.value("destination", "");
      mp.rw = m.value("rw", true);
      mp.mode = m.value("mode", "");
      mp.propagation = m.value("propagation", "");
      mp.options = m.value("options", std::vector<std::string>{});
      c.mounts.push_back(mp);
    }
    for (const auto& p : j.value("ports", json::array())) c.ports.push_back(p.get<PortBinding>());
    c.netns_path = j.value("netns_path", "");
    const json& s = j.at("state");
    c.state.status = s.value("status", "created");
    c.state.pid = s.value("pid", 0);
    c.state.exit_code = s.value("exit_code", 0);
    c.state.oom_killed = s.value("oom_killed", false);
    c.state.error = s.value("error", "");
    c.state.started_ns = s.value("started_ns", int64_t(0));
    c.state.finished_ns = s.value("finished_ns", int64_t(0));
    if (s.contains("health")) {
      c.state.health.status = s["health"].value("status", "");
      c.state.health.failing_streak = s["health"].value("failing_streak", 0);
      c.state.health.log = s["health"].value("log", json::array());
    }
    c.restart_count = j.value("restart_count", 0);
    c.manually_stopped = j.value("manually_stopped", false);
    c.has_been_started = j.value("has_been_started", false);
    c.log_path = j.value("log_path", "");
    c.hosts_path = j.value("hosts_path", "");
    c.resolv_conf_path = j.value("resolv_conf_path", "");
    c.hostname_path = j.value("hostname_path", "");
    return c;
  } catch (const std::exception& e) {
    return invalid(std::string("container record: ") + e.what());
  }
}

json ports_json(const Container& c) {
  json ports = json::object();
  // Exposed ports appear with null when not published.
  if (c.config.contains("ExposedPorts") && c.config["ExposedPorts"].is_object())
    for (auto& [k, _] : c.config["ExposedPorts"].items()) ports[k] = nullptr;
  if (!c.is_running()) return ports;
  for (const auto& p : c.ports) {
    int n = p.container_port_end > p.container_port ? p.container_port_end - p.container_port : 0;
    for (int i = 0; i <= n; ++i) {
      std::string key = std::to_string(p.container_port + i) + "/" + p.proto;
      if (!ports[key].is_array()) ports[key] = json::array();
      ports[key].push_back({{"HostIp", p.host_ip.empty() ? "0.0.0.0" : p.host_ip},
                            {"HostPort", std::to_string(p.host_port + i)}});
    }
  }
  return ports;
}

static std::string docker_time(int64_t ns) { return format_docker_time(ns); }

std::string status_text(const Container& c, int64_t now) {
  const State& s = c.state;
  if (s.status == "running" || s.status == "paused") {
    std::string t = "Up " + human_duration(now - s.started_ns);
    if (!s.health.status.empty())
      t += " (" + std::string(s.health.status == "starting" ? "health: starting" : s.health.status) + ")";
    if (s.status == "paused") t += " (Paused)";
    return t;
  }
  if (s.status == "restarting") return "Restarting (" + std::to_string(s.exit_code) + ") " + human_duration(now - s.finished_ns) + " ago";
  if (s.status == "exited") {
    if (s.finished_ns == 0) return "Exited (" + std::to_string(s.exit_code) + ")";
    return "Exited (" + std::to_string(s.exit_code) + ") " + human_duration(now - s.finished_ns) + " ago";
  }
  if (s.status == "removing") return "Removal In Progress";
  if (s.status == "dead") return "Dead";
  return "Created";
}

static json networks_json(const Container& c, bool full) {
  json nets = json::object();
  for (const auto& [name, n] : c.networks) {
    json e = {{"IPAMConfig", n.ipv4_address.empty() ? json(nullptr) : json{{"IPv4Address", n.ipv4_address}}},
              {"Links", nullptr},
              {"Aliases", n.aliases.empty() ? json(nullptr) : json(n.aliases)},
              {"NetworkID", n.network_id},
              {"EndpointID", ""},
              {"Gateway", ""},
              {"IPAddress", ""},
              {"IPPrefixLen", 0},
              {"IPv6Gateway", ""},
              {"GlobalIPv6Address", ""},
              {"GlobalIPv6PrefixLen", 0},
              {"MacAddress", n.mac_address},
              {"DriverOpts", nullptr}};
    if (n.endpoint && c.is_running()) {
      e["NetworkID"] = n.endpoint->network_id;
      e["EndpointID"] = n.endpoint->endpoint_id;
      e["Gateway"] = n.endpoint->gateway;
      e["IPAddress"] = n.endpoint->ipv4;
      e["IPPrefixLen"] = n.endpoint->prefix_len;
      e["MacAddress"] = n.endpoint->mac;
      if (full) e["DNSNames"] = n.endpoint->dns_names;
    }
    nets[name] = e;
  }
  return nets;
}

static json mounts_json(const Container& c) {
  json out = json::array();
  for (const auto& m : c.mounts) {
    json j = {{"Type", m.type}, {"Source", m.source}, {"Destination", m.destination}, {"Mode", m.mode},
              {"RW", m.rw}, {"Propagation", m.propagation}};
    if (m.type == "volume") {
      j["Name"] = m.name;
      j["Driver"] = "local";
    }
    out.push_back(j);
  }
  return out;
}

json inspect_json(const Container& c) {
  const State& s = c.state;
  json state = {{"Status", s.status},
                {"Running", c.is_running()},
                {"Paused", s.status == "paused"},
                {"Restarting", s.status == "restarting"},
                {"OOMKilled", s.oom_killed},
                {"Dead", s.status == "dead"},
                {"Pid", c.is_running() ? s.pid : 0},
                {"ExitCode", s.exit_code},
                {"Error", s.error},
                {"StartedAt", docker_time(s.started_ns)},
                {"FinishedAt", docker_time(s.finished_ns)}};
  if (!s.health.status.empty())
    state["Health"] = {{"Status", s.health.status}, {"FailingStreak", s.health.failing_streak}, {"Log", s.health.log}};
  json net = {{"Bridge", ""},
              {"SandboxID", c.id},
              {"HairpinMode", false},
              {"LinkLocalIPv6Address", ""},
              {"LinkLocalIPv6PrefixLen", 0},
              {"Ports", ports_json(c)},
              {"SandboxKey", c.netns_path},
              {"SecondaryIPAddresses", nullptr},
              {"SecondaryIPv6Addresses", nullptr},
              {"EndpointID", ""},
              {"Gateway", ""},
              {"GlobalIPv6Address", ""},
              {"GlobalIPv6PrefixLen", 0},
              {"IPAddress", ""},
              {"IPPrefixLen", 0},
              {"IPv6Gateway", ""},
              {"MacAddress", ""},
              {"Networks", networks_json(c, true)}};
  // The top-level fields mirror the default bridge network, as Docker does.
  if (auto it = c.networks.find("bridge"); it != c.networks.end() && it->second.endpoint && c.is_running()) {
    net["EndpointID"] = it->second.endpoint->endpoint_id;
    net["Gateway"] = it->second.endpoint->gateway;
    net["IPAddress"] = it->second.endpoint->ipv4;
    net["IPPrefixLen"] = it->second.endpoint->prefix_len;
    net["MacAddress"] = it->second.endpoint->mac;
  }
  std::string path = c.path_args.empty() ? "" : c.path_args[0];
  std::vector<std::string> args;
  if (c.path_args.size() > 1) args.assign(c.path_args.begin() + 1, c.path_args.end());
  return {{"Id", c.id},
          {"Created", docker_time(c.created_ns)},
          {"Path", path},
          {"Args", args},
          {"State", state},
          {"Image", c.image_id},
          {"ResolvConfPath", c.resolv_conf_path},
          {"HostnamePath", c.hostname_path},
          {"HostsPath", c.hosts_path},
          {"LogPath", c.log_path},
          {"Name", "/" + c.name},
          {"RestartCount", c.restart_count},
          {"Driver", "overlay"},
          {"Platform", "linux"},
          {"MountLabel", ""},
          {"ProcessLabel", ""},
          {"AppArmorProfile", ""},
          {"ExecIDs", nullptr},
          {"HostConfig", c.host_config},
          {"GraphDriver", {{"Name", "overlay"}, {"Data", nullptr}}},
          {"Mounts", mounts_json(c)},
          {"Config", c.config},
          {"NetworkSettings", net}};
}

json summary_json(const Container& c) {
  json ports = json::array();
  if (c.is_running())
    for (const auto& p : c.ports) {
      int n = p.container_port_end > p.container_port ? p.container_port_end - p.container_port : 0;
      for (int i = 0; i <= n; ++i)
        ports.push_back({{"IP", p.host_ip.empty() ? "0.0.0.0" : p.host_ip},
                         {"PrivatePort", p.container_port + i},
                         {"PublicPort", p.host_port + i},
                         {"Type", p.proto}});
    }
  std::string command;
  for (const auto& a : c.path_args) command += (command.empty() ? "" : " ") + a;
  json labels = c.config.value("Labels", json::object());
  if (labels.is_null()) labels = json::object();
  return {{"Id", c.id},
          {"Names", {"/" + c.name}},
          {"Image", c.image},
          {"ImageID", c.image_id},
          {"Command", command},
          {"Created", c.created_ns / 1000000000LL},
          {"Ports", ports},
          {"Labels", labels},
          {"State", c.state.status},
          {"Status", status_text(c, now_ns())},
          {"HostConfig", {{"NetworkMode", c.host_config.value("NetworkMode", "default")}}},
          {"NetworkSettings", {{"Networks", networks_json(c, false)}}},
          {"Mounts", mounts_json(c)}};
}

std::vector<std::string> json_strings(const json& obj, const char* field) {
  std::vector<std::string> out;
  if (obj.contains(field) && obj[field].is_array())
    for (const auto& v : obj[field])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace engine::container
