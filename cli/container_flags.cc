#include "cli/container_flags.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>

#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace cli {

using namespace engine::base;
using nlohmann::json;

void add_container_flags(CLI::App& cmd, ContainerFlags& f, bool run) {
  // -h is --hostname here, as in docker run.
  cmd.set_help_flag("--help", "Print this help message and exit");
  if (run) {
    cmd.add_flag("-d,--detach", f.detach, "Run container in background and print container ID");
    cmd.add_flag("--rm", f.rm, "Automatically remove the container when it exits");
  }
  cmd.add_flag("-i,--interactive", f.interactive, "Keep STDIN open even if not attached");
  cmd.add_flag("-t,--tty", f.tty, "Allocate a pseudo-TTY");
  cmd.add_option("--name", f.name, "Assign a name to the container");
  cmd.add_option("-e,--env", f.env, "Set environment variables");
  cmd.add_option("--env-file", f.env_files, "Read in a file of environment variables");
  cmd.add_option("-p,--publish", f.publish, "Publish a container's port(s) to the host");
  cmd.add_flag("-P,--publish-all", f.publish_all, "Publish all exposed ports to random ports");
  cmd.add_option("--expose", f.expose, "Expose a port or a range of ports");
  cmd.add_option("-v,--volume", f.volumes, "Bind mount a volume (SRC:DST[:OPTS])");
  cmd.add_option("--mount", f.mounts, "Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly)");
  cmd.add_option("--tmpfs", f.tmpfs, "Mount a tmpfs directory (PATH[:OPTS])");
  cmd.add_option("--network,--net", f.network, "Connect a container to a network");
  cmd.add_option("--network-alias", f.network_aliases, "Add network-scoped alias for the container");
  cmd.add_option("--ip", f.ip, "IPv4 address (e.g., 172.30.100.104)");
  cmd.add_option("--mac-address", f.mac, "Container MAC address");
  cmd.add_option("--restart", f.restart, "Restart policy: no, always, on-failure[:max], unless-stopped");
  cmd.add_option("-m,--memory", f.memory, "Memory limit (e.g. 512m, 1g)");
  cmd.add_option("--memory-swap", f.memory_swap, "Swap limit equal to memory plus swap: -1 for unlimited");
  cmd.add_option("--cpus", f.cpus, "Number of CPUs");
  cmd.add_option("-c,--cpu-shares", f.cpu_shares, "CPU shares (relative weight)");
  cmd.add_option("--pids-limit", f.pids_limit, "Tune container pids limit (-1 for unlimited)");
  cmd.add_option("-u,--user", f.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd.add_option("--group-add", f.group_add, "Add additional groups to join");
  cmd.add_option("-w,--workdir", f.workdir, "Working directory inside the container");
  cmd.add_option("--entrypoint", f.entrypoint, "Overwrite the default ENTRYPOINT of the image (\"\" resets it)")
      ->each([&f](const std::string&) { f.entrypoint_given = true; });
  cmd.add_option("-h,--hostname", f.hostname, "Container host name");
  cmd.add_option("--domainname", f.domainname, "Container NIS domain name");
  cmd.add_flag("--read-only", f.read_only, "Mount the container's root filesystem as read only");
  cmd.add_option("--cap-add", f.caps_add, "Add Linux capabilities");
  cmd.add_option("--cap-drop", f.caps_drop, "Drop Linux capabilities");
  cmd.add_flag("--privileged", f.privileged, "Give extended privileges to this container");
  cmd.add_option("--security-opt", f.security_opts, "Security Options (no-new-privileges, seccomp=unconfined)");
  cmd.add_flag("--init", f.init, "Run an init inside the container that forwards signals and reaps processes");
  cmd.add_option("--health-cmd", f.health_cmd, "Command to run to check health");
  cmd.add_option("--health-interval", f.health_interval, "Time between running the check (ms|s|m|h)");
  cmd.add_option("--health-timeout", f.health_timeout, "Maximum time to allow one check to run (ms|s|m|h)");
  cmd.add_option("--health-retries", f.health_retries, "Consecutive failures needed to report unhealthy");
  cmd.add_option("--health-start-period", f.health_start_period, "Start period for the container to initialize");
  cmd.add_flag("--no-healthcheck", f.no_healthcheck, "Disable any container-specified HEALTHCHECK");
  cmd.add_option("-l,--label", f.labels, "Set meta data on a container");
  cmd.add_option("--ulimit", f.ulimits, "Ulimit options (name=soft[:hard])");
  cmd.add_option("--sysctl", f.sysctls, "Sysctl options (key=value)");
  cmd.add_option("--dns", f.dns, "Set custom DNS servers");
  cmd.add_option("--dns-search", f.dns_search, "Set custom DNS search domains");
  cmd.add_option("--dns-option", f.dns_option, "Set DNS options");
  cmd.add_option("--add-host", f.add_hosts, "Add a custom host-to-IP mapping (host:ip)");
  cmd.add_option("--shm-size", f.shm_size, "Size of /dev/shm");
  cmd.add_option("--stop-signal", f.stop_signal, "Signal to stop the container");
  cmd.add_option("--stop-timeout", f.stop_timeout, "Timeout (in seconds) to stop a container");
  cmd.add_option("--ipc", f.ipc, "IPC mode to use");
  cmd.add_option("--pid", f.pid, "PID namespace to use");
  cmd.add_option("--uts", f.uts, "UTS namespace to use");
  cmd.add_option("--log-driver", f.log_driver, "Logging driver for the container (json-file, none)");
  cmd.add_option("--log-opt", f.log_opts, "Log driver options (max-size, max-file)");
  cmd.add_option("--pull", f.pull, "Pull image before running (always, missing, never)")->capture_default_str();
  cmd.add_option("--platform", f.platform, "Set platform if server is multi-platform capable");
  cmd.add_option("--cidfile", f.cidfile, "Write the container ID to the file");
  // IMAGE [COMMAND] [ARG...] is cut off argv before parsing (see split_command_tail).
  cmd.footer("Arguments: IMAGE [COMMAND] [ARG...]");
}

size_t first_positional(const CLI::App& cmd, const std::vector<std::string>& args, size_t start) {
  for (size_t i = start; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return i + 1;
    if (a.size() < 2 || a[0] != '-') return i;
    if (a.rfind("--", 0) == 0) {
      if (a.find('=') != std::string::npos) continue;
      const CLI::Option* o = cmd.get_option_no_throw(a);
      if (o && o->get_items_expected_max() > 0) ++i;
      continue;
    }
    // Short options, possibly combined (-it, -dp 80:80): the last may take a value.
    for (size_t k = 1; k < a.size(); ++k) {
      const CLI::Option* o = cmd.get_option_no_throw(std::string("-") + a[k]);
      if (o && o->get_items_expected_max() > 0) {
        if (k + 1 == a.size()) ++i;  // value is the next argument
        break;                       // else the value is the rest of this one
      }
    }
  }
  return args.size();
}

static Result<int64_t> bytes(const std::string& flag, const std::string& v) {
  std::string s(trim(v));
  char* end = nullptr;
  double n = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || n < 0) return invalid("invalid argument \"" + v + "\" for \"" + flag + "\" flag");
  std::string unit = end;
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b' && unit.size() > 1) unit.pop_back();
  double mul = unit.empty() || unit == "b" ? 1
               : unit == "k"              ? 1024.0
               : unit == "m"              ? 1048576.0
               : unit == "g"              ? 1073741824.0
                                          : -1;
  if (mul < 0) return invalid("invalid argument \"" + v + "\" for \"" + flag + "\" flag: invalid size unit");
  return static_cast<int64_t>(n * mul);
}

static Result<std::pair<int, int>> port_range(const std::string& s, const std::string& spec) {
  if (s.empty()) return std::make_pair(0, 0);
  size_t dash = s.find('-');
  char* end = nullptr;
  long a = std::strtol(s.c_str(), &end, 10);
  long b = a;
  if (dash != std::string::npos) b = std::strtol(s.c_str() + dash + 1, nullptr, 10);
  if (end == s.c_str() || a <= 0 || a > 65535 || b < a || b > 65535) return invalid("invalid port \"" + spec + "\"");
  return std::make_pair(int(a), int(b));
}

Status add_port(const std::string& spec, json& pb, json& exposed) {
  std::string s = spec, proto = "tcp";
  if (size_t slash = s.rfind('/'); slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s = s.substr(0, slash);
  }
  if (proto != "tcp" && proto != "udp") return invalid("invalid proto: " + proto);
  std::string ip, host, cont;
  auto parts = split(s, ':');
  if (parts.size() == 1) {
    cont = parts[0];
  } else if (parts.size() == 2) {
    host = parts[0];
    cont = parts[1];
  } else if (parts.size() == 3) {
    ip = parts[0];
    host = parts[1];
    cont = parts[2];
  } else {
    return invalid("invalid port format: \"" + spec + "\"");
  }
  auto c = port_range(cont, spec);
  if (!c || c->first == 0) return invalid("invalid containerPort: " + cont);
  auto h = port_range(host, spec);
  if (!h) return h.take_error();
  int n = c->second - c->first;
  if (h->first != 0 && h->second - h->first != n && h->second != h->first)
    return invalid("invalid ranges specified for container and host Ports: " + cont + " and " + host);
  for (int i = 0; i <= n; ++i) {
    std::string key = std::to_string(c->first + i) + "/" + proto;
    exposed[key] = json::object();
    std::string hp;
    if (h->first != 0) hp = h->second - h->first == n ? std::to_string(h->first + i) : std::to_string(h->first) + "-" + std::to_string(h->second);
    if (!pb[key].is_array()) pb[key] = json::array();
    pb[key].push_back({{"HostIp", ip}, {"HostPort", hp}});
  }
  return {};
}

static Result<std::vector<std::string>> read_env_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return invalid("open " + path + ": no such file or directory");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(f, line)) {
    std::string t(trim(line));
    if (t.empty() || t[0] == '#') continue;
    if (t.find('=') == std::string::npos) {
      const char* v = std::getenv(t.c_str());
      if (v) out.push_back(t + "=" + v);
      continue;
    }
    out.push_back(t);
  }
  return out;
}

Result<json> create_body(const ContainerFlags& f) {
  if (f.command.empty()) return invalid("\"run\" requires at least 1 argument: IMAGE [COMMAND] [ARG...]");
  json cfg = json::object();
  json hc = json::object();
  cfg["Image"] = f.command[0];
  if (f.command.size() > 1) cfg["Cmd"] = std::vector<std::string>(f.command.begin() + 1, f.command.end());
  std::vector<std::string> env;
  for (const auto& ef : f.env_files) {
    auto lines = read_env_file(ef);
    if (!lines) return lines.take_error();
    env.insert(env.end(), lines->begin(), lines->end());
  }
  for (const auto& e : f.env) {
    if (e.find('=') == std::string::npos) {
      if (const char* v = std::getenv(e.c_str())) env.push_back(e + "=" + v);
    } else {
      env.push_back(e);
    }
  }
  if (!env.empty()) cfg["Env"] = env;
  if (!f.user.empty()) cfg["User"] = f.user;
  if (!f.workdir.empty()) cfg["WorkingDir"] = f.workdir;
  if (!f.hostname.empty()) cfg["Hostname"] = f.hostname;
  if (!f.domainname.empty()) cfg["Domainname"] = f.domainname;
  // --entrypoint "" sends [""], as docker does: no entrypoint, and not the image's Cmd either.
  if (f.entrypoint_given || !f.entrypoint.empty()) cfg["Entrypoint"] = json::array({f.entrypoint});
  cfg["Tty"] = f.tty;
  cfg["OpenStdin"] = f.interactive;
  cfg["StdinOnce"] = f.interactive;
  cfg["AttachStdin"] = f.interactive && !f.detach;
  cfg["AttachStdout"] = !f.detach;
  cfg["AttachStderr"] = !f.detach;
  if (!f.stop_signal.empty()) cfg["StopSignal"] = f.stop_signal;
  if (f.stop_timeout >= 0) cfg["StopTimeout"] = f.stop_timeout;
  json labels = json::object();
  for (const auto& l : f.labels) {
    size_t eq = l.find('=');
    labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  cfg["Labels"] = labels;
  if (f.no_healthcheck) {
    cfg["Healthcheck"] = {{"Test", {"NONE"}}};
  } else if (!f.health_cmd.empty()) {
    json h = {{"Test", {"CMD-SHELL", f.health_cmd}}};
    auto dur = [&](const char* flag, const std::string& v, const char* key) -> Status {
      if (v.empty()) return {};
      auto d = parse_duration(v);
      if (!d) return invalid(std::string("invalid argument \"") + v + "\" for \"" + flag + "\" flag");
      h[key] = *d;
      return {};
    };
    BERTH_TRY(dur("--health-interval", f.health_interval, "Interval"));
    BERTH_TRY(dur("--health-timeout", f.health_timeout, "Timeout"));
    BERTH_TRY(dur("--health-start-period", f.health_start_period, "StartPeriod"));
    if (f.health_retries > 0) h["Retries"] = f.health_retries;
    cfg["Healthcheck"] = h;
  }

  json pb = json::object(), exposed = json::object();
  for (const auto& p : f.publish) BERTH_TRY(add_port(p, pb, exposed));
  for (const auto& e : f.expose) {
    std::string k = e.find('/') == std::string::npos ? e + "/tcp" : e;
    exposed[k] = json::object();
  }
  if (!exposed.empty()) cfg["ExposedPorts"] = exposed;
  hc["PortBindings"] = pb;
  hc["PublishAllPorts"] = f.publish_all;
  std::vector<std::string> binds;
  json volumes = json::object();
  for (const auto& v : f.volumes) {
    if (v.find(':') == std::string::npos) volumes[v] = json::object();  // anonymous volume
    else binds.push_back(v);
  }
  if (!volumes.empty()) cfg["Volumes"] = volumes;
  hc["Binds"] = binds;
  json mounts = json::array();
  for (const auto& m : f.mounts) {
    json mj = {{"Type", "volume"}};
    for (const auto& kv : split(m, ',')) {
      size_t eq = kv.find('=');
      std::string k = kv.substr(0, eq), val = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (k == "type") mj["Type"] = val;
      else if (k == "source" || k == "src") mj["Source"] = val;
      else if (k == "target" || k == "destination" || k == "dst") mj["Target"] = val;
      else if (k == "readonly" || k == "ro") mj["ReadOnly"] = val.empty() || val == "true" || val == "1";
      else if (k == "bind-propagation") mj["BindOptions"] = {{"Propagation", val}};
      else if (k == "tmpfs-size") {
        auto b = bytes("--mount", val);
        if (!b) return b.take_error();
        mj["TmpfsOptions"]["SizeBytes"] = *b;
      } else return invalid("invalid field '" + k + "' in --mount " + m);
    }
    mounts.push_back(mj);
  }
  if (!mounts.empty()) hc["Mounts"] = mounts;
  if (!f.tmpfs.empty()) {
    json t = json::object();
    for (const auto& s : f.tmpfs) {
      size_t colon = s.find(':');
      t[s.substr(0, colon)] = colon == std::string::npos ? "" : s.substr(colon + 1);
    }
    hc["Tmpfs"] = t;
  }
  if (!f.network.empty()) hc["NetworkMode"] = f.network;
  if (!f.restart.empty()) {
    std::string name = f.restart;
    int max = 0;
    if (size_t colon = name.find(':'); colon != std::string::npos) {
      max = std::atoi(name.c_str() + colon + 1);
      name = name.substr(0, colon);
    }
    hc["RestartPolicy"] = {{"Name", name}, {"MaximumRetryCount", max}};
  }
  if (!f.memory.empty()) {
    auto b = bytes("--memory", f.memory);
    if (!b) return b.take_error();
    hc["Memory"] = *b;
  }
  if (!f.memory_swap.empty()) {
    if (f.memory_swap == "-1") hc["MemorySwap"] = -1;
    else {
      auto b = bytes("--memory-swap", f.memory_swap);
      if (!b) return b.take_error();
      hc["MemorySwap"] = *b;
    }
  }
  if (!f.cpus.empty()) {
    char* end = nullptr;
    double c = std::strtod(f.cpus.c_str(), &end);
    if (end == f.cpus.c_str() || *end || c <= 0) return invalid("invalid argument \"" + f.cpus + "\" for \"--cpus\" flag");
    hc["NanoCpus"] = static_cast<int64_t>(std::llround(c * 1e9));
  }
  if (f.cpu_shares) hc["CpuShares"] = f.cpu_shares;
  if (f.pids_limit) hc["PidsLimit"] = f.pids_limit;
  if (!f.shm_size.empty()) {
    auto b = bytes("--shm-size", f.shm_size);
    if (!b) return b.take_error();
    hc["ShmSize"] = *b;
  }
  hc["ReadonlyRootfs"] = f.read_only;
  hc["Privileged"] = f.privileged;
  hc["AutoRemove"] = f.rm;
  if (f.init) hc["Init"] = true;
  hc["CapAdd"] = f.caps_add;
  hc["CapDrop"] = f.caps_drop;
  hc["SecurityOpt"] = f.security_opts;
  hc["GroupAdd"] = f.group_add;
  hc["Dns"] = f.dns;
  hc["DnsSearch"] = f.dns_search;
  hc["DnsOptions"] = f.dns_option;
  hc["ExtraHosts"] = f.add_hosts;
  if (!f.ipc.empty()) hc["IpcMode"] = f.ipc;
  if (!f.pid.empty()) hc["PidMode"] = f.pid;
  if (!f.uts.empty()) hc["UTSMode"] = f.uts;
  json ulimits = json::array();
  for (const auto& u : f.ulimits) {
    size_t eq = u.find('=');
    if (eq == std::string::npos) return invalid("invalid ulimit argument: " + u);
    std::string v = u.substr(eq + 1);
    size_t colon = v.find(':');
    long long soft = std::atoll(v.c_str());
    long long hard = colon == std::string::npos ? soft : std::atoll(v.c_str() + colon + 1);
    ulimits.push_back({{"Name", u.substr(0, eq)}, {"Soft", soft}, {"Hard", hard}});
  }
  hc["Ulimits"] = ulimits;
  json sysctls = json::object();
  for (const auto& s : f.sysctls) {
    size_t eq = s.find('=');
    if (eq == std::string::npos) return invalid("invalid sysctl value: " + s);
    sysctls[s.substr(0, eq)] = s.substr(eq + 1);
  }
  hc["Sysctls"] = sysctls;
  if (!f.log_driver.empty() || !f.log_opts.empty()) {
    json lc = {{"Type", f.log_driver.empty() ? "json-file" : f.log_driver}, {"Config", json::object()}};
    for (const auto& o : f.log_opts) {
      size_t eq = o.find('=');
      if (eq == std::string::npos) return invalid("invalid log opt: " + o);
      lc["Config"][o.substr(0, eq)] = o.substr(eq + 1);
    }
    hc["LogConfig"] = lc;
  }
  cfg["HostConfig"] = hc;
  if (!f.network_aliases.empty() || !f.ip.empty() || !f.mac.empty()) {
    std::string net = f.network.empty() ? "bridge" : f.network;
    json ep = json::object();
    if (!f.network_aliases.empty()) ep["Aliases"] = f.network_aliases;
    if (!f.ip.empty()) ep["IPAMConfig"] = {{"IPv4Address", f.ip}};
    if (!f.mac.empty()) ep["MacAddress"] = f.mac;
    cfg["NetworkingConfig"] = {{"EndpointsConfig", {{net, ep}}}};
  }
  return cfg;
}

}  // namespace cli
