#include "engine/container/create_config.h"

#include <csignal>
#include <cstdlib>

#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace engine::container {

using nlohmann::json;
using namespace engine::base;

int parse_signal(const std::string& in) {
  std::string s = in;
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    int n = std::atoi(s.c_str());
    return n > 0 && n < 65 ? n : -1;
  }
  if (starts_with(s, "SIG")) s = s.substr(3);
  static const std::pair<const char*, int> table[] = {
      {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
      {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
      {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
      {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
      {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
      {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"PWR", SIGPWR},   {"SYS", SIGSYS}};
  for (const auto& [name, num] : table)
    if (s == name) return num;
  if (starts_with(s, "RTMIN+")) return SIGRTMIN + std::atoi(s.c_str() + 6);
  return -1;
}

Result<int64_t> parse_bytes(const std::string& in) {
  std::string s(trim(in));
  if (s.empty()) return invalid("invalid size: empty");
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return invalid("invalid size: \"" + in + "\"");
  std::string unit = end;
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b' && unit.size() > 1) unit.pop_back();
  double mul = 1;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k") mul = 1024.0;
  else if (unit == "m") mul = 1024.0 * 1024;
  else if (unit == "g") mul = 1024.0 * 1024 * 1024;
  else if (unit == "t") mul = 1024.0 * 1024 * 1024 * 1024;
  else return invalid("invalid size: \"" + in + "\"");
  return static_cast<int64_t>(v * mul);
}

namespace {

Status expect(const json& j, const char* field, json::value_t t1, json::value_t t2 = json::value_t::null) {
  if (!j.contains(field) || j[field].is_null()) return {};
  auto t = j[field].type();
  bool number_ok = (t1 == json::value_t::number_integer) &&
                   (t == json::value_t::number_unsigned || t == json::value_t::number_integer);
  if (t != t1 && t != t2 && !number_ok)
    return invalid(std::string("invalid type for field ") + field + ": expected " +
                   std::string(json(t1).type_name()));
  return {};
}

std::vector<std::string> string_list(const json& j, const char* field) {
  std::vector<std::string> out;
  if (!j.contains(field) || j[field].is_null()) return out;
  if (j[field].is_string()) return {j[field].get<std::string>()};
  for (const auto& v : j[field])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

Status check_types(const json& cfg, const json& hc) {
  using T = json::value_t;
  for (const char* f : {"Hostname", "Domainname", "User", "Image", "WorkingDir", "StopSignal"})
    BERTH_TRY(expect(cfg, f, T::string));
  for (const char* f : {"Env", "Cmd", "Entrypoint"}) BERTH_TRY(expect(cfg, f, T::array, T::string));
  for (const char* f : {"Labels", "ExposedPorts", "Volumes", "Healthcheck"}) BERTH_TRY(expect(cfg, f, T::object));
  for (const char* f : {"Tty", "OpenStdin", "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce"})
    BERTH_TRY(expect(cfg, f, T::boolean));
  for (const char* f : {"Binds", "CapAdd", "CapDrop", "Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "GroupAdd",
                        "SecurityOpt", "VolumesFrom", "Ulimits", "Mounts"})
    BERTH_TRY(expect(hc, f, T::array));
  for (const char* f : {"PortBindings", "RestartPolicy", "Tmpfs", "Sysctls", "LogConfig"})
    BERTH_TRY(expect(hc, f, T::object));
  for (const char* f : {"Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares", "CpuPeriod",
                        "CpuQuota", "PidsLimit", "ShmSize"})
    BERTH_TRY(expect(hc, f, T::number_integer));
  for (const char* f : {"NetworkMode", "IpcMode", "PidMode", "UTSMode", "CpusetCpus", "CpusetMems"})
    BERTH_TRY(expect(hc, f, T::string));
  for (const char* f : {"Privileged", "ReadonlyRootfs", "AutoRemove", "PublishAllPorts", "Init"})
    BERTH_TRY(expect(hc, f, T::boolean));
  return {};
}

json to_json_list(const std::vector<std::string>& v) { return v.empty() ? json(nullptr) : json(v); }

/// Applies the image config to Config where the client left fields unset.
void apply_image_defaults(json& cfg, const image::ContainerConfig& ic) {
  // Env: the image's, overridden by the container's per key.
  std::vector<std::string> env = ic.env;
  for (const auto& kv : string_list(cfg, "Env")) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    env.push_back(kv);
  }
  cfg["Env"] = to_json_list(env);
  bool has_entrypoint = cfg.contains("Entrypoint") && !cfg["Entrypoint"].is_null();
  if (!has_entrypoint && ic.entrypoint) cfg["Entrypoint"] = *ic.entrypoint;
  // A new entrypoint resets the image's Cmd (as Docker does).
  bool has_cmd = cfg.contains("Cmd") && !cfg["Cmd"].is_null() && !(cfg["Cmd"].is_array() && cfg["Cmd"].empty());
  if (!has_cmd) cfg["Cmd"] = has_entrypoint ? json(nullptr) : (ic.cmd ? json(*ic.cmd) : json(nullptr));
  if (cfg.value("WorkingDir", "").empty()) cfg["WorkingDir"] = ic.working_dir;
  if (cfg.value("User", "").empty()) cfg["User"] = ic.user;
  if (cfg.value("StopSignal", "").empty() && !ic.stop_signal.empty()) cfg["StopSignal"] = ic.stop_signal;
  json exposed = cfg.value("ExposedPorts", json::object());
  if (exposed.is_null()) exposed = json::object();
  for (const auto& p : ic.exposed_ports) exposed[p] = json::object();
  cfg["ExposedPorts"] = exposed.empty() ? json(nullptr) : exposed;
  json labels = ic.labels.empty() ? json::object() : json(ic.labels);
  if (cfg.contains("Labels") && cfg["Labels"].is_object())
    for (auto& [k, v] : cfg["Labels"].items()) labels[k] = v;
  cfg["Labels"] = labels;
  json vols = cfg.value("Volumes", json::object());
  if (vols.is_null()) vols = json::object();
  for (const auto& v : ic.volumes) vols[v] = json::object();
  cfg["Volumes"] = vols.empty() ? json(nullptr) : vols;
  if ((!cfg.contains("Healthcheck") || cfg["Healthcheck"].is_null()) && ic.healthcheck) {
    const auto& h = *ic.healthcheck;
    cfg["Healthcheck"] = {{"Test", h.test}, {"Interval", h.interval_ns}, {"Timeout", h.timeout_ns},
                          {"StartPeriod", h.start_period_ns}, {"Retries", h.retries}};
  }
}

}  // namespace

Result<std::vector<PortBinding>> parse_port_bindings(const json& pb, const json& exposed, bool publish_all) {
  std::vector<PortBinding> out;
  auto parse_key = [](const std::string& key, PortBinding& b) -> Status {
    std::string port = key, proto = "tcp";
    if (size_t slash = key.find('/'); slash != std::string::npos) {
      port = key.substr(0, slash);
      proto = key.substr(slash + 1);
    }
    if (proto != "tcp" && proto != "udp") return invalid("invalid port protocol \"" + proto + "\" in " + key);
    char* end = nullptr;
    long n = std::strtol(port.c_str(), &end, 10);
    if (end == port.c_str() || *end || n <= 0 || n > 65535) return invalid("invalid container port \"" + key + "\"");
    b.container_port = static_cast<int>(n);
    b.proto = proto;
    return {};
  };
  if (pb.is_object()) {
    for (auto& [key, hosts] : pb.items()) {
      PortBinding base;
      BERTH_TRY(parse_key(key, base));
      if (hosts.is_null() || (hosts.is_array() && hosts.empty())) {
        out.push_back(base);  // random host port
        continue;
      }
      if (!hosts.is_array()) return invalid("invalid PortBindings for " + key);
      for (const auto& h : hosts) {
        PortBinding b = base;
        b.host_ip = h.value("HostIp", "");
        std::string hp = h.value("HostPort", "");
        if (!hp.empty()) {
          char* end = nullptr;
          long n = std::strtol(hp.c_str(), &end, 10);
          if (end == hp.c_str() || n < 0 || n > 65535) return invalid("invalid host port \"" + hp + "\" for " + key);
          b.host_port = static_cast<int>(n);
          if (*end == '-') {
            long m = std::strtol(end + 1, nullptr, 10);
            if (m < n || m > 65535) return invalid("invalid host port range \"" + hp + "\" for " + key);
            b.host_port_end = static_cast<int>(m);
          }
        }
        if (b.host_ip == "0.0.0.0") b.host_ip.clear();
        out.push_back(b);
      }
    }
  }
  if (publish_all && exposed.is_object()) {
    for (auto& [key, _] : exposed.items()) {
      PortBinding b;
      BERTH_TRY(parse_key(key, b));
      bool already = false;
      for (const auto& o : out)
        if (o.container_port == b.container_port && o.proto == b.proto) already = true;
      if (!already) out.push_back(b);
    }
  }
  return out;
}

Result<Container> build_container(const json& body, const image::Image& img, const EnsureVolumeFn& ensure_volume) {
  if (!body.is_object()) return invalid("invalid JSON: the container config must be an object");
  Container c;
  json cfg = body;
  json hc = body.value("HostConfig", json::object());
  if (hc.is_null()) hc = json::object();
  json netcfg = body.value("NetworkingConfig", json::object());
  cfg.erase("HostConfig");
  cfg.erase("NetworkingConfig");
  BERTH_TRY(check_types(cfg, hc));
  c.image = cfg.value("Image", "");
  c.image_id = img.id.str();
  apply_image_defaults(cfg, img.config.config);
  if (cfg.value("Hostname", "").empty()) cfg["Hostname"] = "";  // filled with the short ID by the caller
  for (const char* f : {"Domainname", "User", "WorkingDir"})
    if (!cfg.contains(f) || cfg[f].is_null()) cfg[f] = "";
  for (const char* f : {"AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce"})
    if (!cfg.contains(f) || cfg[f].is_null()) cfg[f] = false;
  if (cfg.contains("Cmd") && cfg["Cmd"].is_string()) cfg["Cmd"] = json::array({cfg["Cmd"]});
  if (cfg.contains("Entrypoint") && cfg["Entrypoint"].is_string()) {
    // A string entrypoint is run by the shell, as Docker does.
    cfg["Entrypoint"] = json::array({"/bin/sh", "-c", cfg["Entrypoint"].get<std::string>()});
  }
  auto ep = string_list(cfg, "Entrypoint");
  if (ep.size() == 1 && ep[0].empty()) ep.clear();  // [""]: the image's entrypoint reset (docker run --entrypoint "")
  auto cmd = string_list(cfg, "Cmd");
  c.path_args = ep;
  c.path_args.insert(c.path_args.end(), cmd.begin(), cmd.end());
  if (c.path_args.empty()) return invalid("no command specified");
  std::string wd = cfg.value("WorkingDir", "");
  if (!wd.empty() && wd[0] != '/') return invalid("the working directory '" + wd + "' is invalid, it needs to be an absolute path");
  if (auto sig = cfg.value("StopSignal", ""); !sig.empty() && parse_signal(sig) < 0)
    return invalid("invalid signal: " + sig);

  // HostConfig defaults, as Docker fills them.
  std::string mode = hc.value("NetworkMode", "");
  if (mode.empty() || mode == "default") hc["NetworkMode"] = mode = "bridge";
  if (!hc.contains("RestartPolicy") || hc["RestartPolicy"].is_null())
    hc["RestartPolicy"] = {{"Name", "no"}, {"MaximumRetryCount", 0}};
  std::string rp = hc["RestartPolicy"].value("Name", "no");
  if (rp.empty()) hc["RestartPolicy"]["Name"] = rp = "no";
  if (rp != "no" && rp != "always" && rp != "on-failure" && rp != "unless-stopped")
    return invalid("invalid restart policy '" + rp + "'");
  if (rp != "on-failure" && hc["RestartPolicy"].value("MaximumRetryCount", 0) != 0)
    return invalid("maximum retry count cannot be used with restart policy '" + rp + "'");
  if (hc.value("AutoRemove", false) && rp != "no")
    return invalid("can't create 'AutoRemove' container with restart policy");
  if (!hc.contains("LogConfig") || hc["LogConfig"].is_null()) hc["LogConfig"] = {{"Type", "json-file"}, {"Config", json::object()}};
  std::string log_type = hc["LogConfig"].value("Type", "json-file");
  if (log_type.empty()) hc["LogConfig"]["Type"] = log_type = "json-file";
  if (log_type != "json-file" && log_type != "none")
    return invalid("logging driver \"" + log_type + "\" is not supported (json-file, none)");
  for (const char* f : {"Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares", "CpuPeriod", "CpuQuota"})
    if (!hc.contains(f) || hc[f].is_null()) hc[f] = 0;
  if (hc.value("Memory", int64_t(0)) < 0) return invalid("invalid memory limit: must be positive");
  if (hc.value("Memory", int64_t(0)) > 0 && hc["Memory"].get<int64_t>() < 6 * 1024 * 1024)
    return invalid("minimum memory limit allowed is 6MB");
  if (hc.value("NanoCpus", int64_t(0)) < 0) return invalid("invalid CPU value: must be positive");
  if (hc.contains("ShmSize") && hc["ShmSize"].is_number() && hc["ShmSize"].get<int64_t>() < 0)
    return invalid("SHM size can not be less than 0");
  for (const auto& so : string_list(hc, "SecurityOpt")) {
    if (so != "no-new-privileges" && so != "no-new-privileges:true" && so != "no-new-privileges=true" &&
        so != "seccomp=unconfined" && so != "seccomp:unconfined" && so != "no-new-privileges:false" &&
        so != "label=disable" && so != "apparmor=unconfined")
      return invalid("invalid --security-opt: \"" + so + "\" is not supported");
  }
  for (const char* ns : {"IpcMode", "PidMode", "UTSMode"}) {
    std::string v = hc.value(ns, "");
    if (!v.empty() && v != "private" && v != "shareable" && v != "host" && !starts_with(v, "container:"))
      return invalid(std::string("invalid ") + ns + ": " + v);
  }

  // Published ports.
  auto ports = parse_port_bindings(hc.value("PortBindings", json::object()), cfg.value("ExposedPorts", json::object()),
                                   hc.value("PublishAllPorts", false));
  if (!ports) return ports.take_error();
  c.ports = *ports;

  // Mounts: Binds ("src:dst[:opts]"), Mounts (long form), Tmpfs, image volumes (anonymous).
  auto add_mount = [&](MountPoint m) -> Status {
    if (m.destination.empty() || m.destination[0] != '/')
      return invalid("invalid mount config: mount path must be absolute: \"" + m.destination + "\"");
    for (const auto& existing : c.mounts)
      if (existing.destination == m.destination) return invalid("Duplicate mount point: " + m.destination);
    c.mounts.push_back(std::move(m));
    return {};
  };
  for (const auto& bind : string_list(hc, "Binds")) {
    auto parts = split(bind, ':');
    if (parts.size() < 2 || parts.size() > 3) return invalid("invalid volume specification: '" + bind + "'");
    MountPoint m;
    m.destination = parts[1];
    m.mode = parts.size() == 3 ? parts[2] : "";
    for (const auto& o : split(m.mode, ',')) {
      if (o == "ro") m.rw = false;
      else if (o == "rw" || o.empty() || o == "z" || o == "Z" || o == "nocopy") {}
      else if (o == "private" || o == "rprivate" || o == "shared" || o == "rshared" || o == "slave" || o == "rslave")
        m.propagation = o;
      else return invalid("invalid mode: " + o + " in volume specification '" + bind + "'");
    }
    if (!parts[0].empty() && parts[0][0] == '/') {
      m.type = "bind";
      m.source = parts[0];
      if (m.propagation.empty()) m.propagation = "rprivate";
    } else {
      auto v = ensure_volume(parts[0], false);
      if (!v) return v.take_error();
      m.type = "volume";
      m.name = v->first;
      m.source = v->second;
    }
    BERTH_TRY(add_mount(m));
  }
  if (hc.contains("Mounts") && hc["Mounts"].is_array()) {
    for (const auto& mj : hc["Mounts"]) {
      MountPoint m;
      m.type = mj.value("Type", "volume");
      m.destination = mj.value("Target", "");
      m.rw = !mj.value("ReadOnly", false);
      std::string src = mj.value("Source", "");
      if (m.type == "bind") {
        if (src.empty() || src[0] != '/') return invalid("invalid mount config for type \"bind\": invalid mount path: '" + src + "' mount path must be absolute");
        m.source = src;
        m.propagation = mj.contains("BindOptions") ? mj["BindOptions"].value("Propagation", "rprivate") : "rprivate";
        if (m.propagation.empty()) m.propagation = "rprivate";
      } else if (m.type == "volume") {
        auto v = ensure_volume(src, src.empty());
        if (!v) return v.take_error();
        m.name = v->first;
        m.source = v->second;
      } else if (m.type == "tmpfs") {
        if (mj.contains("TmpfsOptions")) {
          if (auto sz = mj["TmpfsOptions"].value("SizeBytes", int64_t(0)); sz > 0) m.options.push_back("size=" + std::to_string(sz));
          if (auto md = mj["TmpfsOptions"].value("Mode", 0); md > 0) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "mode=%o", static_cast<unsigned>(md) & 07777u);
            m.options.push_back(buf);
          }
        }
      } else {
        return invalid("invalid mount config: mount type \"" + m.type + "\" is not supported");
      }
      BERTH_TRY(add_mount(m));
    }
  }
  if (hc.contains("Tmpfs") && hc["Tmpfs"].is_object()) {
    for (auto& [path, opts] : hc["Tmpfs"].items()) {
      MountPoint m;
      m.type = "tmpfs";
      m.destination = path;
      for (const auto& o : split(opts.is_string() ? opts.get<std::string>() : "", ','))
        if (!o.empty()) {
          if (o == "ro") m.rw = false;
          else m.options.push_back(o);
        }
      BERTH_TRY(add_mount(m));
    }
  }
  if (cfg.contains("Volumes") && cfg["Volumes"].is_object()) {
    for (auto& [path, _] : cfg["Volumes"].items()) {
      bool covered = false;
      for (const auto& m : c.mounts)
        if (m.destination == path) covered = true;
      if (covered) continue;
      auto v = ensure_volume("", true);
      if (!v) return v.take_error();
      MountPoint m;
      m.type = "volume";
      m.name = v->first;
      m.source = v->second;
      m.destination = path;
      BERTH_TRY(add_mount(m));
    }
  }

  // Networks: NetworkMode names the first; EndpointsConfig may add aliases/addresses.
  if (mode != "host" && mode != "none" && !starts_with(mode, "container:")) {
    json eps = netcfg.value("EndpointsConfig", json::object());
    if (eps.is_null()) eps = json::object();
    auto add_net = [&](const std::string& name, const json& e) {
      NetworkAttachment a;
      if (e.is_object()) {
        a.aliases = string_list(e, "Aliases");
        if (e.contains("IPAMConfig") && e["IPAMConfig"].is_object()) a.ipv4_address = e["IPAMConfig"].value("IPv4Address", "");
        a.mac_address = e.value("MacAddress", "");
      }
      c.networks[name] = a;
    };
    // "default" is the daemon's default network ("bridge"), as clients send it.
    if (eps.contains("default")) {
      if (!eps.contains(mode)) eps[mode] = eps["default"];
      eps.erase("default");
    }
    add_net(mode, eps.value(mode, json::object()));
    for (auto& [name, e] : eps.items())
      if (!c.networks.count(name)) add_net(name, e);
  }

  c.config = cfg;
  c.host_config = hc;
  return c;
}

}  // namespace engine::container
