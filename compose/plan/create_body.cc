// Docker Engine API v1.41 create bodies from the typed model (see create_body.h).
#include "compose/plan/create_body.h"

#include <algorithm>

#include "compose/graph/graph.h"
#include "compose/model/codec.h"
#include "compose/plan/file_refs.h"
#include "compose/plan/labels.h"
#include "engine/base/strings.h"

namespace compose::plan {

namespace {

/// "80/tcp" for ExposedPorts / PortBindings.
std::string port_key(const std::string& target, const std::string& proto) {
  if (target.find('/') != std::string::npos) return target;
  return target + "/" + (proto.empty() ? "tcp" : proto);
}

Json restart_policy(const std::string& restart) {
  if (restart.empty() || restart == "no") return {{"Name", "no"}};
  std::string name = restart;
  int64_t retries = 0;
  if (auto colon = restart.find(':'); colon != std::string::npos) {
    name = restart.substr(0, colon);
    retries = std::stoll(restart.substr(colon + 1));
  }
  Json j = {{"Name", name}};
  if (name == "on-failure") j["MaximumRetryCount"] = retries;
  return j;
}

/// The service's networks in attach order: priority (highest first), then name.
std::vector<std::string> network_order(const model::Service& s) {
  std::vector<std::pair<int64_t, std::string>> v;
  for (const auto& [name, sn] : s.networks) {
    int64_t prio = 0;
    if (sn && sn->other.contains("priority") && sn->other["priority"].is_number()) prio = sn->other["priority"].get<int64_t>();
    v.push_back({-prio, name});
  }
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (auto& [prio, name] : v) out.push_back(name);
  return out;
}

Json endpoint_config(const model::Service& s, const std::optional<model::ServiceNetwork>& sn) {
  Json aliases = Json::array({s.name});
  Json ep = Json::object();
  if (sn) {
    for (const std::string& a : sn->aliases) aliases.push_back(a);
    if (!sn->ipv4_address.empty()) ep["IPAMConfig"] = {{"IPv4Address", sn->ipv4_address}};
  }
  ep["Aliases"] = aliases;
  return ep;
}

/// The container a "service:x" / volumes_from reference points at.
std::string ref_container(const model::Project& p, const std::string& service) {
  auto it = p.services.find(service);
  if (it != p.services.end()) return service_container_name(p, it->second, 1);
  return container_name(p.name, service, 1);
}

void add_mounts(const model::Project& p, const model::Service& s, const std::vector<FileMount>& files, Json& config,
                Json& host) {
  Json binds = Json::array(), mounts = Json::array();
  for (const model::Mount& m : s.volumes) {
    if (m.type == "bind") {
      std::string b = m.source + ":" + m.target + (m.read_only ? ":ro" : ":rw");
      if (m.other.contains("bind") && m.other["bind"].contains("propagation"))
        b += "," + m.other["bind"]["propagation"].get<std::string>();
      binds.push_back(b);
      continue;
    }
    Json mj = {{"Type", m.type}, {"Target", m.target}};
    if (m.read_only) mj["ReadOnly"] = true;
    if (m.type == "volume") {
      if (!m.source.empty()) {
        auto it = p.volumes.find(m.source);
        mj["Source"] = it != p.volumes.end() ? it->second.name : m.source;
      } else {
        config["Volumes"][m.target] = Json::object();
      }
      if (m.other.contains("volume") && m.other["volume"].value("nocopy", false))
        mj["VolumeOptions"] = {{"NoCopy", true}};
    } else if (m.type == "tmpfs" && m.other.contains("tmpfs")) {
      const Json& t = m.other["tmpfs"];
      Json opts = Json::object();
      if (t.contains("size")) opts["SizeBytes"] = t["size"];
      if (t.contains("mode")) opts["Mode"] = t["mode"];
      mj["TmpfsOptions"] = opts;
    }
    mounts.push_back(mj);
  }
  for (const FileMount& f : files) binds.push_back(f.host_path + ":" + f.target + ":ro");
  if (!binds.empty()) host["Binds"] = binds;
  if (!mounts.empty()) host["Mounts"] = mounts;
  if (!s.tmpfs.empty()) {
    Json t = Json::object();
    for (const std::string& e : s.tmpfs) {
      auto colon = e.find(':');
      t[e.substr(0, colon)] = colon == std::string::npos ? "" : e.substr(colon + 1);
    }
    host["Tmpfs"] = t;
  }
  if (!s.volumes_from.empty()) {
    Json vf = Json::array();
    for (const std::string& v : s.volumes_from) {
      if (v.rfind("container:", 0) == 0) {
        vf.push_back(v.substr(10));
        continue;
      }
      std::string rest = engine::base::starts_with(v, "service:") ? v.substr(8) : v;
      std::vector<std::string> parts = engine::base::split(rest, ':');
      vf.push_back(ref_container(p, parts[0]) + (parts.size() > 1 ? ":" + parts[1] : ""));
    }
    host["VolumesFrom"] = vf;
  }
}

void add_resources(const model::Service& s, Json& host) {
  std::optional<int64_t> mem = s.mem_limit, pids = s.pids_limit;
  std::optional<double> cpus = s.cpus;
  if (s.deploy) {
    if (s.deploy->limits.memory) mem = s.deploy->limits.memory;
    if (s.deploy->limits.pids) pids = s.deploy->limits.pids;
    if (s.deploy->limits.cpus) cpus = s.deploy->limits.cpus;
    if (s.deploy->reservations.memory) host["MemoryReservation"] = *s.deploy->reservations.memory;
  }
  if (mem) host["Memory"] = *mem;
  if (pids) host["PidsLimit"] = *pids;
  if (cpus) host["NanoCpus"] = static_cast<int64_t>(*cpus * 1e9);
  if (s.shm_size) host["ShmSize"] = *s.shm_size;
  if (!s.ulimits.empty()) {
    Json u = Json::array();
    for (const auto& [name, l] : s.ulimits) u.push_back({{"Name", name}, {"Soft", l.soft}, {"Hard", l.hard}});
    host["Ulimits"] = u;
  }
  if (!s.sysctls.empty()) host["Sysctls"] = s.sysctls;
}

}  // namespace

std::string service_image(const model::Project& p, const model::Service& s) {
  if (!s.image.empty()) return s.image;
  return p.name + "-" + s.name;
}

std::string service_container_name(const model::Project& p, const model::Service& s, int number) {
  if (!s.container_name.empty()) return s.container_name;
  return container_name(p.name, s.name, number);
}

engine::base::Result<ContainerSpec> container_spec(const model::Project& p, const model::Service& s, int number,
                                                   bool oneoff, const std::string& files_dir) {
  if (auto bad = unsupported_keys(p, s); !bad.empty()) return engine::base::invalid(engine::base::join(bad, "\n"));
  auto files = file_mounts(p, s, files_dir);
  if (!files) return files.take_error();
  ContainerSpec spec;
  spec.name = service_container_name(p, s, number);
  Json c = Json::object();
  Json host = Json::object();
  c["Image"] = service_image(p, s);
  if (!s.hostname.empty()) c["Hostname"] = s.hostname;
  if (!s.domainname.empty()) c["Domainname"] = s.domainname;
  if (!s.user.empty()) c["User"] = s.user;
  if (!s.working_dir.empty()) c["WorkingDir"] = s.working_dir;
  if (s.command) c["Cmd"] = *s.command;
  if (s.entrypoint) c["Entrypoint"] = *s.entrypoint;
  Json env = Json::array();
  for (const auto& [k, v] : s.environment) env.push_back(v ? k + "=" + *v : k);
  c["Env"] = env;
  c["Tty"] = s.tty;
  c["OpenStdin"] = s.stdin_open;
  c["AttachStdin"] = false;
  c["AttachStdout"] = false;
  c["AttachStderr"] = false;
  if (!s.stop_signal.empty()) c["StopSignal"] = s.stop_signal;
  if (s.stop_grace_period_ns) c["StopTimeout"] = *s.stop_grace_period_ns / 1000000000;
  if (s.healthcheck) {
    const model::Healthcheck& h = *s.healthcheck;
    Json hc = Json::object();
    hc["Test"] = h.disable ? std::vector<std::string>{"NONE"} : h.test;
    if (h.interval_ns) hc["Interval"] = *h.interval_ns;
    if (h.timeout_ns) hc["Timeout"] = *h.timeout_ns;
    if (h.start_period_ns) hc["StartPeriod"] = *h.start_period_ns;
    if (h.start_interval_ns) hc["StartInterval"] = *h.start_interval_ns;
    if (h.retries) hc["Retries"] = *h.retries;
    c["Healthcheck"] = hc;
  }
  // Ports: every published and exposed port is in ExposedPorts; published ones get bindings.
  Json exposed = Json::object(), bindings = Json::object();
  for (const std::string& e : s.expose) exposed[port_key(e, "tcp")] = Json::object();
  for (const model::Port& port : s.ports) {
    std::string key = port_key(std::to_string(port.target), port.protocol);
    exposed[key] = Json::object();
    if (!bindings.contains(key)) bindings[key] = Json::array();
    bindings[key].push_back({{"HostIp", port.host_ip}, {"HostPort", port.published}});
  }
  if (!exposed.empty()) c["ExposedPorts"] = exposed;
  host["PortBindings"] = bindings;
  // Labels: the service's own, then compose's (compose's win).
  Json labels = Json::object();
  for (const auto& [k, v] : s.labels) labels[k] = v;
  labels[std::string(kLabelProject)] = p.name;
  labels[std::string(kLabelService)] = s.name;
  labels[std::string(kLabelNumber)] = std::to_string(number);
  labels[std::string(kLabelOneoff)] = oneoff ? "True" : "False";
  labels[std::string(kLabelConfigHash)] = model::config_hash(s);
  labels[std::string(kLabelWorkingDir)] = p.working_dir;
  labels[std::string(kLabelConfigFiles)] = engine::base::join(p.files, ",");
  labels[std::string(kLabelImage)] = service_image(p, s);
  labels[std::string(kLabelVersion)] = std::string(kComposeVersion);
  std::vector<std::string> deps;
  for (const auto& [d, dep] : s.depends_on)
    deps.push_back(d + ":" + dep.condition + ":" + (dep.restart ? "true" : "false"));
  labels[std::string(kLabelDependsOn)] = engine::base::join(deps, ",");
  c["Labels"] = labels;

  add_mounts(p, s, *files, c, host);
  add_resources(s, host);
  host["RestartPolicy"] = restart_policy(s.restart);
  if (s.init) host["Init"] = *s.init;
  if (s.read_only) host["ReadonlyRootfs"] = true;
  if (s.privileged) host["Privileged"] = true;
  if (!s.cap_add.empty()) host["CapAdd"] = s.cap_add;
  if (!s.cap_drop.empty()) host["CapDrop"] = s.cap_drop;
  if (!s.security_opt.empty()) host["SecurityOpt"] = s.security_opt;
  if (!s.dns.empty()) host["Dns"] = s.dns;
  if (!s.dns_search.empty()) host["DnsSearch"] = s.dns_search;
  if (!s.extra_hosts.empty()) {
    Json eh = Json::array();
    for (std::string h : s.extra_hosts) {
      if (auto eq = h.find('='); eq != std::string::npos) h[eq] = ':';
      eh.push_back(h);
    }
    host["ExtraHosts"] = eh;
  }
  if (!s.pid.empty()) host["PidMode"] = s.pid;
  if (!s.ipc.empty()) host["IpcMode"] = s.ipc;
  if (s.logging) host["LogConfig"] = {{"Type", s.logging->driver}, {"Config", s.logging->options}};
  if (!s.links.empty()) {
    Json links = Json::array();
    for (const std::string& l : s.links) {
      std::string svc = graph::service_of_link(l);
      std::string alias = l.size() > svc.size() ? l.substr(svc.size() + 1) : svc;
      links.push_back(ref_container(p, svc) + ":" + alias);
    }
    host["Links"] = links;
  }

  // Networks: network_mode wins; else the first network at create, the others connected after.
  Json endpoints = Json::object();
  if (!s.network_mode.empty()) {
    std::string svc = graph::service_of_network_mode(s.network_mode);
    host["NetworkMode"] = svc.empty() ? s.network_mode : "container:" + ref_container(p, svc);
  } else {
    std::vector<std::string> order = network_order(s);
    for (size_t i = 0; i < order.size(); ++i) {
      auto top = p.networks.find(order[i]);
      std::string engine_name = top != p.networks.end() ? top->second.name : p.name + "_" + order[i];
      Json ep = endpoint_config(s, s.networks.at(order[i]));
      if (i == 0) {
        host["NetworkMode"] = engine_name;
        endpoints[engine_name] = ep;
      } else {
        spec.extra_networks.push_back({engine_name, ep});
      }
    }
  }
  c["HostConfig"] = host;
  c["NetworkingConfig"] = {{"EndpointsConfig", endpoints}};
  spec.body = std::move(c);
  return spec;
}

Json network_body(const model::Project& p, const std::string& key, const model::Resource& r) {
  Json labels = Json::object();
  for (const auto& [k, v] : r.labels) labels[k] = v;
  labels[std::string(kLabelProject)] = p.name;
  labels[std::string(kLabelNetwork)] = key;
  labels[std::string(kLabelVersion)] = std::string(kComposeVersion);
  Json b = {{"Name", r.name}, {"CheckDuplicate", true}, {"Labels", labels}};
  b["Driver"] = r.driver.empty() ? "bridge" : r.driver;
  if (r.other.contains("internal")) b["Internal"] = r.other["internal"];
  b["Attachable"] = r.other.value("attachable", true);
  if (r.other.contains("enable_ipv6")) b["EnableIPv6"] = r.other["enable_ipv6"];
  if (r.other.contains("driver_opts")) b["Options"] = r.other["driver_opts"];
  if (r.other.contains("ipam") && r.other["ipam"].is_object()) {
    const Json& ipam = r.other["ipam"];
    Json out = {{"Driver", ipam.value("driver", "default")}};
    Json configs = Json::array();
    for (const Json& cfg : ipam.value("config", Json::array())) {
      Json c = Json::object();
      if (cfg.contains("subnet")) c["Subnet"] = cfg["subnet"];
      if (cfg.contains("ip_range")) c["IPRange"] = cfg["ip_range"];
      if (cfg.contains("gateway")) c["Gateway"] = cfg["gateway"];
      if (cfg.contains("aux_addresses")) c["AuxiliaryAddresses"] = cfg["aux_addresses"];
      configs.push_back(c);
    }
    out["Config"] = configs;
    if (ipam.contains("options")) out["Options"] = ipam["options"];
    b["IPAM"] = out;
  }
  return b;
}

Json volume_body(const model::Project& p, const std::string& key, const model::Resource& r) {
  Json labels = Json::object();
  for (const auto& [k, v] : r.labels) labels[k] = v;
  labels[std::string(kLabelProject)] = p.name;
  labels[std::string(kLabelVolume)] = key;
  labels[std::string(kLabelVersion)] = std::string(kComposeVersion);
  Json b = {{"Name", r.name}, {"Driver", r.driver.empty() ? "local" : r.driver}, {"Labels", labels}};
  b["DriverOpts"] = r.other.value("driver_opts", Json::object());
  return b;
}

}  // namespace compose::plan
