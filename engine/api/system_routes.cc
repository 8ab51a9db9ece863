#include "engine/api/system_routes.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "engine/base/time.h"

namespace engine::api {

namespace {

std::string kernel_version() {
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "";
}

std::string os_pretty_name() {
  std::ifstream f("/etc/os-release");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "Linux";
}

std::string cgroup_version() {
  // cgroup2 at the root means a pure v2 host; anything else is v1 (possibly hybrid).
  std::ifstream f("/sys/fs/cgroup/cgroup.controllers");
  return f.good() ? "2" : "1";
}

}  // namespace

void add_system_routes(Router& r, const SystemFacts& facts) {
  auto ping = [](Exchange& ex) {
    Response resp{200, "text/plain; charset=utf-8", {{"Cache-Control", "no-cache, no-store, must-revalidate"},
                                                     {"Pragma", "no-cache"},
                                                     {"Builder-Version", "1"}},
                  "OK"};
    ex.respond(std::move(resp));
  };
  r.get("/_ping", ping);
  r.head("/_ping", ping);

  r.get("/version", [facts](Exchange& ex) {
    nlohmann::json details = {{"ApiVersion", std::string(kApiVersion)},
                              {"MinAPIVersion", std::string(kMinApiVersion)},
                              {"GitCommit", facts.git_commit},
                              {"Os", "linux"},
                              {"Arch", "amd64"},
                              {"KernelVersion", kernel_version()}};
    ex.respond_json({{"Platform", {{"Name", "berth"}}},
                     {"Components", nlohmann::json::array({{{"Name", "Engine"}, {"Version", facts.version}, {"Details", details}}})},
                     {"Version", facts.version},
                     {"ApiVersion", std::string(kApiVersion)},
                     {"MinAPIVersion", std::string(kMinApiVersion)},
                     {"GitCommit", facts.git_commit},
                     {"GoVersion", "n/a (C++20)"},
                     {"Os", "linux"},
                     {"Arch", "amd64"},
                     {"KernelVersion", kernel_version()},
                     {"BuildTime", std::string(__DATE__) + " " + __TIME__}});
  });

  r.get("/info", [facts](Exchange& ex) {
    nlohmann::json info = {
        {"ID", facts.daemon_id},
        {"Containers", 0},
        {"ContainersRunning", 0},
        {"ContainersPaused", 0},
        {"ContainersStopped", 0},
        {"Images", 0},
        {"Driver", "overlay"},
        {"DockerRootDir", facts.root_dir},
        {"KernelVersion", kernel_version()},
        {"OperatingSystem", os_pretty_name()},
        {"OSType", "linux"},
        {"Architecture", "x86_64"},
        {"NCPU", std::thread::hardware_concurrency()},
        {"MemTotal", int64_t(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE)},
        {"Name", [] {
           char h[256] = {0};
           ::gethostname(h, sizeof h - 1);
           return std::string(h);
         }()},
        {"ServerVersion", facts.version},
        {"CgroupDriver", "cgroupfs"},
        {"CgroupVersion", cgroup_version()},
        {"LoggingDriver", "json-file"},
        {"DefaultRuntime", "berth"},
        {"Runtimes", {{"berth", {{"path", "berth-shim"}}}}},
        {"LiveRestoreEnabled", true},
        {"SystemTime", engine::base::format_rfc3339_nano(engine::base::now_ns())},
        {"Labels", nlohmann::json::array()},
        {"Plugins", {{"Volume", {"local"}}, {"Network", {"bridge", "host", "null"}}, {"Log", {"json-file"}}}},
        {"SecurityOptions", {"name=seccomp,profile=default"}},
        {"Warnings", nlohmann::json::array()},
    };
    if (facts.extend_info) facts.extend_info(info);
    ex.respond_json(info);
  });
}

void add_system_df_route(Router& r, engine::container::Manager* m) {
  // Walking layers and writable dirs can take a while: its own thread.
  r.add({"GET", "/system/df",
         [m](Exchange& ex) {
           auto df = m->disk_usage();
           if (!df) return ex.respond_error(df.error());
           ex.respond_json(*df);
         },
         true});
}

}  // namespace engine::api
