// berth version, berth info (system facts from the daemon).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/context.h"
#include "cli/extra_commands.h"

namespace cli {

static void print_version(const Context& ctx, const std::string& format) {
  nlohmann::json client = {{"Version", BERTH_VERSION_STRING}, {"ApiVersion", "1.41"}, {"Os", "linux"}, {"Arch", "amd64"}};
  ApiClient api = ctx.connect();
  HttpResponse r = check(api.request("GET", "/version"));
  if (!r.ok()) fail_response(r);
  nlohmann::json server = r.json();
  if (format == "json") {
    std::printf("%s\n", nlohmann::json{{"Client", client}, {"Server", server}}.dump().c_str());
    return;
  }
  std::printf("Client:\n Version:     %s\n API version: %s\n OS/Arch:     linux/amd64\n\n", BERTH_VERSION_STRING, "1.41");
  std::printf("Server: berth engine\n Version:     %s\n API version: %s (minimum version %s)\n Git commit:  %s\n"
              " OS/Arch:     %s/%s\n Kernel:      %s\n",
              server.value("Version", "").c_str(), server.value("ApiVersion", "").c_str(),
              server.value("MinAPIVersion", "").c_str(), server.value("GitCommit", "").c_str(),
              server.value("Os", "").c_str(), server.value("Arch", "").c_str(),
              server.value("KernelVersion", "").c_str());
}

void print_info(const Context& ctx, const std::string& format) {
  ApiClient api = ctx.connect();
  HttpResponse r = check(api.request("GET", "/info"));
  if (!r.ok()) fail_response(r);
  nlohmann::json j = r.json();
  if (format == "json") {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("Server:\n Containers: %d\n  Running: %d\n  Paused: %d\n  Stopped: %d\n Images: %d\n"
              " Server Version: %s\n Storage Driver: %s\n Logging Driver: %s\n Cgroup Driver: %s\n"
              " Cgroup Version: %s\n Kernel Version: %s\n Operating System: %s\n CPUs: %d\n"
              " Berth Root Dir: %s\n ID: %s\n",
              j.value("Containers", 0), j.value("ContainersRunning", 0), j.value("ContainersPaused", 0),
              j.value("ContainersStopped", 0), j.value("Images", 0), j.value("ServerVersion", "").c_str(),
              j.value("Driver", "").c_str(), j.value("LoggingDriver", "").c_str(),
              j.value("CgroupDriver", "").c_str(), j.value("CgroupVersion", "").c_str(),
              j.value("KernelVersion", "").c_str(), j.value("OperatingSystem", "").c_str(), j.value("NCPU", 0),
              j.value("DockerRootDir", "").c_str(), j.value("ID", "").c_str());
}

void register_system_commands(CLI::App& app, Context& ctx) {
  auto* version = app.add_subcommand("version", "Show the berth version information (client and daemon)");
  auto vformat = std::make_shared<std::string>();  // kept alive by the callback
  version->add_option("-f,--format", *vformat, "Output format: json");
  version->callback([&ctx, vformat] { print_version(ctx, *vformat); });

  auto* info = app.add_subcommand("info", "Display system-wide information");
  auto iformat = std::make_shared<std::string>();
  info->add_option("-f,--format", *iformat, "Output format: json");
  info->callback([&ctx, iformat] { print_info(ctx, *iformat); });
}

}  // namespace cli
