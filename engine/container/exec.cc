// Attach, exec, top, stats and network connect/disconnect of running containers.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/cgroup/cgroup.h"
#include "engine/container/manager_impl.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

static Result<std::shared_ptr<Entry>> find_entry(Manager::Impl& s, const std::string& ref) {
  std::lock_guard lock(s.mu);
  return s.find(ref);
}

Status Manager::close_stdin(const std::string& ref) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  return impl_->d.runtime->close_stdin((*e)->c.id);
}

Result<runtime::AttachStream> Manager::attach(const std::string& ref, const std::function<bool()>& registered,
                                              const std::function<bool()>& cancelled) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  bool counted = false;
  uint64_t failures = 0;
  {
    // Counted before the caller answers its client: a start that the answer lets the client send
    // must already see this attach and hold the process for it.
    std::lock_guard lock(impl_->mu);
    if (!(*e)->runtime_created) {
      ++(*e)->pending_attach;
      counted = true;
      failures = (*e)->failed_starts;
    }
  }
  auto uncount = [&] {
    std::lock_guard lock(impl_->mu);
    --(*e)->pending_attach;
    impl_->cv.notify_all();
  };
  if (registered && !registered()) {
    if (counted) uncount();
    return make_error(Code::Unavailable, "attach cancelled");
  }
  if (counted) {
    std::unique_lock lock(impl_->mu);
    while (!(*e)->runtime_created && !(*e)->removed) {
      if ((*e)->failed_starts != failures) {
        --(*e)->pending_attach;
        return precondition("container " + (*e)->c.id.substr(0, 12) + " failed to start");
      }
      impl_->cv.wait_for(lock, std::chrono::milliseconds(200));
      if ((cancelled && cancelled()) || impl_->closing) {
        --(*e)->pending_attach;
        impl_->cv.notify_all();
        return make_error(Code::Unavailable, "attach cancelled");
      }
    }
    if ((*e)->removed) {
      --(*e)->pending_attach;
      return not_found("No such container: " + ref);
    }
  }
  auto r = impl_->d.runtime->attach((*e)->c.id);
  if (counted) {
    std::lock_guard lock(impl_->mu);
    ++(*e)->attached;
    if ((*e)->attached >= (*e)->pending_attach) {
      (*e)->attached = 0;
      (*e)->pending_attach = 0;
    }
    impl_->cv.notify_all();
  }
  return r;
}

Status Manager::resize(const std::string& ref, unsigned rows, unsigned cols) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  return impl_->d.runtime->resize((*e)->c.id, rows, cols);
}

Result<std::string> Manager::exec_create(const std::string& ref, const json& body) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  if (!body.is_object()) return invalid("invalid exec config: body must be an object");
  ExecInstance x;
  {
    std::lock_guard lock(impl_->mu);
    const Container& c = (*e)->c;
    if (!c.is_running()) return conflict("Container " + c.id + " is not running");
    if (c.state.status == "paused") return conflict("Container " + c.id + " is paused, unpause the container before exec");
    x.container_id = c.id;
  }
  if (!body.contains("Cmd") || !body["Cmd"].is_array() || body["Cmd"].empty()) return invalid("No exec command specified");
  for (const auto& a : body["Cmd"]) {
    if (!a.is_string()) return invalid("invalid exec config: Cmd must be strings");
    x.spec.args.push_back(a.get<std::string>());
  }
  if (body.contains("Env") && body["Env"].is_array())
    for (const auto& v : body["Env"])
      if (v.is_string()) x.spec.env.push_back(v.get<std::string>());
  x.spec.cwd = body.value("WorkingDir", "");
  x.spec.user = body.value("User", "");
  x.spec.tty = body.value("Tty", false);
  // API 1.42+: [height, width] of the client's terminal, set before the process starts.
  if (body.contains("ConsoleSize") && body["ConsoleSize"].is_array() && body["ConsoleSize"].size() == 2 &&
      body["ConsoleSize"][0].is_number_unsigned() && body["ConsoleSize"][1].is_number_unsigned()) {
    x.spec.tty_rows = body["ConsoleSize"][0].get<unsigned>();
    x.spec.tty_cols = body["ConsoleSize"][1].get<unsigned>();
  }
  x.spec.privileged = body.value("Privileged", false);
  x.attach_stdin = body.value("AttachStdin", false);
  x.attach_stdout = body.value("AttachStdout", true);
  x.attach_stderr = body.value("AttachStderr", true);
  x.id = random_hex(64);
  std::lock_guard lock(impl_->mu);
  impl_->execs[x.id] = x;
  return x.id;
}

Result<json> Manager::exec_inspect(const std::string& exec_id) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->execs.find(exec_id);
  if (it == impl_->execs.end()) return not_found("No such exec instance: " + exec_id);
  const ExecInstance& x = it->second;
  std::vector<std::string> args(x.spec.args.begin() + 1, x.spec.args.end());
  return json{{"ID", x.id},
              {"Running", x.running},
              {"ExitCode", x.ended ? json(x.exit_code) : json(nullptr)},
              {"ProcessConfig",
               {{"tty", x.spec.tty}, {"entrypoint", x.spec.args[0]}, {"arguments", args},
                {"privileged", x.spec.privileged}, {"user", x.spec.user}}},
              {"OpenStdin", x.attach_stdin},
              {"OpenStderr", x.attach_stderr},
              {"OpenStdout", x.attach_stdout},
              {"CanRemove", false},
              {"ContainerID", x.container_id},
              {"DetachKeys", ""},
              {"Pid", x.pid}};
}

Result<runtime::ExecProcess> Manager::exec_start(const std::string& exec_id) {
  ExecInstance x;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->execs.find(exec_id);
    if (it == impl_->execs.end()) return not_found("No such exec instance: " + exec_id);
    if (it->second.running || it->second.ended) return conflict("Error: Exec command " + exec_id + " has already run");
    it->second.running = true;
    x = it->second;
  }
  // Keyed by the exec ID: the shim records its exit code for a later berthd.
  x.spec.key = x.id;
  auto proc = impl_->d.runtime->exec_start(x.container_id, x.spec);
  if (!proc) {
    std::lock_guard lock(impl_->mu);
    auto& live = impl_->execs[exec_id];
    live.running = false;
    live.ended = true;
    live.exit_code = 126;
    impl_->persist_exec(live);
    return proc.take_error();
  }
  // The helper reports through error_fd whether the process could be exec'd.
  std::string why;
  if (proc->error_fd) {
    char buf[512];
    for (;;) {
      ssize_t n = ::read(proc->error_fd.get(), buf, sizeof buf);
      if (n <= 0) break;
      why.append(buf, size_t(n));
    }
  }
  std::lock_guard lock(impl_->mu);
  auto& live = impl_->execs[exec_id];
  live.pid = proc->pid;
  if (!why.empty()) {
    while (!why.empty() && why.back() == '\n') why.pop_back();
    auto done = impl_->d.runtime->exec_wait(*proc);
    live.running = false;
    live.ended = true;
    live.exit_code = done && done->exit_code ? done->exit_code
                                             : (why.find("not found") != std::string::npos ? 127 : 126);
    Error err = make_error(why.find("not found") != std::string::npos ? Code::NotFound : Code::Internal,
                           "OCI runtime exec failed: " + why);
    impl_->persist_exec(live);
    return err;
  }
  if (proc->tty) live.pty_fd = proc->stdout_fd.get();
  impl_->persist_exec(live);
  return proc;
}

void Manager::exec_finish(const std::string& exec_id, runtime::ExecProcess& proc) {
  auto done = impl_->d.runtime->exec_wait(proc);
  std::lock_guard lock(impl_->mu);
  auto it = impl_->execs.find(exec_id);
  if (it == impl_->execs.end()) return;
  it->second.running = false;
  it->second.ended = true;
  it->second.pty_fd = -1;
  it->second.exit_code = done ? done->exit_code : 126;
  impl_->persist_exec(it->second);
  impl_->cv.notify_all();
}

Status Manager::exec_resize(const std::string& exec_id, unsigned rows, unsigned cols) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->execs.find(exec_id);
  if (it == impl_->execs.end()) return not_found("No such exec instance: " + exec_id);
  if (it->second.pty_fd < 0) return {};
  return runtime::resize_tty(it->second.pty_fd, rows, cols);
}

static std::string read_cmdline(int pid) {
  auto raw = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  if (!raw || raw->empty()) {
    auto comm = read_file("/proc/" + std::to_string(pid) + "/comm");
    return comm ? "[" + std::string(trim(*comm)) + "]" : "";
  }
  std::string s = *raw;
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (auto& ch : s)
    if (ch == '\0') ch = ' ';
  return s;
}

Result<json> Manager::top(const std::string& ref) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  std::string id;
  {
    std::lock_guard lock(impl_->mu);
    if (!(*e)->c.is_running()) return conflict("Container " + (*e)->c.id + " is not running");
    id = (*e)->c.id;
  }
  auto cg = cgroup::Manager::open("berth/" + id);
  if (!cg) return cg.take_error();
  auto pids = (*cg)->pids();
  if (!pids) return pids.take_error();
  json procs = json::array();
  for (pid_t pid : *pids) {
    auto status = read_file("/proc/" + std::to_string(pid) + "/status");
    if (!status) continue;
    std::string uid = "?", ppid = "?";
    std::istringstream in(*status);
    std::string line;
    while (std::getline(in, line)) {
      if (starts_with(line, "Uid:")) uid = split(std::string(trim(line.substr(4))), '\t')[0];
      if (starts_with(line, "PPid:")) ppid = std::string(trim(line.substr(5)));
    }
    procs.push_back({uid, std::to_string(pid), ppid, read_cmdline(pid)});
  }
  return json{{"Titles", {"UID", "PID", "PPID", "CMD"}}, {"Processes", procs}};
}

static uint64_t system_cpu_ns() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  f >> cpu;
  uint64_t total = 0, v;
  for (int i = 0; i < 8 && (f >> v); ++i) total += v;
  return total * (1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK)));
}

/// Docker's "networks" stats from the container's /proc/<pid>/net/dev (loopback left out).
static json net_dev_json(int pid) {
  json out = json::object();
  auto text = read_file("/proc/" + std::to_string(pid) + "/net/dev");
  if (!text) return out;
  static const char* kFields[] = {"rx_bytes", "rx_packets", "rx_errors", "rx_dropped", nullptr, nullptr, nullptr, nullptr,
                                  "tx_bytes", "tx_packets", "tx_errors", "tx_dropped"};
  for (const std::string& line : split(*text, '\n')) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name(trim(line.substr(0, colon)));
    if (name == "lo") continue;
    json n = json::object();
    std::istringstream in(line.substr(colon + 1));
    uint64_t v = 0;
    for (size_t i = 0; i < std::size(kFields) && (in >> v); ++i)
      if (kFields[i]) n[kFields[i]] = v;
    out[name] = n;
  }
  return out;
}

Result<json> Manager::stats(const std::string& ref) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  Container c;
  {
    std::lock_guard lock(impl_->mu);
    c = (*e)->c;
  }
  json j = {{"read", format_rfc3339_nano(now_ns())},
            {"preread", "0001-01-01T00:00:00Z"},
            {"name", "/" + c.name},
            {"id", c.id},
            {"num_procs", 0}};
  int cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  if (!c.is_running()) {
    j["pids_stats"] = json::object();
    j["cpu_stats"] = {{"cpu_usage", {{"total_usage", 0}}}, {"system_cpu_usage", 0}, {"online_cpus", cpus}};
    j["memory_stats"] = json::object();
  } else {
    auto st = impl_->d.runtime->stats(c.id);
    if (!st) return st.take_error();
    j["pids_stats"] = {{"current", st->pids_current}, {"limit", st->pids_limit}};
    j["cpu_stats"] = {{"cpu_usage",
                       {{"total_usage", st->cpu_total_ns},
                        {"usage_in_kernelmode", st->cpu_system_ns},
                        {"usage_in_usermode", st->cpu_user_ns}}},
                      {"system_cpu_usage", system_cpu_ns()},
                      {"online_cpus", cpus},
                      {"throttling_data", {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}}}};
    json mstat = json::object();
    for (const auto& [k, v] : st->memory_stat) mstat[k] = v;
    mstat["cache"] = st->memory_cache;
    // Unlimited reads as the host's memory, as Docker reports it.
    uint64_t host_mem = uint64_t(::sysconf(_SC_PHYS_PAGES)) * uint64_t(::sysconf(_SC_PAGESIZE));
    j["memory_stats"] = {{"usage", st->memory_usage},
                         {"max_usage", st->memory_max_usage},
                         {"limit", st->memory_limit ? st->memory_limit : host_mem},
                         {"stats", mstat}};
    if (!c.netns_path.empty() && c.state.pid > 0) j["networks"] = net_dev_json(c.state.pid);
  }
  j["precpu_stats"] = {{"cpu_usage", {{"total_usage", 0}}}, {"system_cpu_usage", 0}, {"online_cpus", cpus}};
  j["blkio_stats"] = json::object();
  if (!j.contains("networks")) j["networks"] = json::object();
  return j;
}

Status Manager::connect(const std::string& ref, const std::string& network, const NetworkAttachment& cfg) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  auto& d = impl_->d;
  if (!d.network) return precondition("networking is not available");
  auto info = d.network->inspect_network(network);
  if (!info) return not_found("network " + network + " not found");
  std::lock_guard op((*e)->op);
  Container c;
  {
    std::lock_guard lock(impl_->mu);
    c = (*e)->c;
  }
  std::string mode = c.host_config.value("NetworkMode", "bridge");
  if (mode == "host" || mode == "none" || starts_with(mode, "container:"))
    return invalid("container cannot be connected to a network with network mode " + mode);
  if (c.networks.count(info->spec.name))
    return conflict("endpoint with name " + c.name + " already exists in network " + info->spec.name);
  NetworkAttachment a = cfg;
  a.network_id = info->spec.id;
  if (c.is_running()) {
    EndpointSpec ep;
    ep.network_id = info->spec.id;
    ep.container_id = c.id;
    ep.container_name = c.name;
    ep.netns_path = c.netns_path;
    int used = 0;
    for (const auto& [_, n] : c.networks)
      if (n.endpoint) ++used;
    ep.ifname = "eth" + std::to_string(used);
    ep.ipv4 = a.ipv4_address;
    ep.mac = a.mac_address;
    ep.dns_names = {c.name};
    for (const auto& al : a.aliases) ep.dns_names.push_back(al);
    ep.dns_names.push_back(c.id.substr(0, 12));
    ep.default_route = used == 0;
    auto got = d.network->attach(ep);
    if (!got) return got.take_error();
    a.endpoint = *got;
  }
  std::lock_guard lock(impl_->mu);
  (*e)->c.networks[info->spec.name] = a;
  impl_->persist((*e)->c);
  if (d.events)
    d.events->publish({"network", "connect", info->spec.id, {{"name", info->spec.name}, {"container", c.id}, {"type", "bridge"}}, 0});
  return {};
}

Status Manager::disconnect(const std::string& ref, const std::string& network, bool force) {
  auto e = find_entry(*impl_, ref);
  if (!e) return e.take_error();
  auto& d = impl_->d;
  std::lock_guard op((*e)->op);
  std::lock_guard lock(impl_->mu);
  Container& c = (*e)->c;
  auto it = c.networks.begin();
  for (; it != c.networks.end(); ++it)
    if (it->first == network || it->second.network_id == network || (!network.empty() && starts_with(it->second.network_id, network)))
      break;
  if (it == c.networks.end()) {
    if (force) return {};
    return not_found("container " + c.id + " is not connected to network " + network);
  }
  if (it->second.endpoint && d.network) BERTH_TRY(d.network->detach(c.id, it->second.endpoint->network_id));
  std::string nid = it->second.network_id;
  std::string nname = it->first;
  c.networks.erase(it);
  impl_->persist(c);
  if (d.events) d.events->publish({"network", "disconnect", nid, {{"name", nname}, {"container", c.id}, {"type", "bridge"}}, 0});
  return {};
}

}  // namespace engine::container
