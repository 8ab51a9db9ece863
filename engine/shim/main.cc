// berth-shim: one per container; supervises it independently of berthd.
//   berth-shim create --bundle DIR                      create the container, then monitor it
//   berth-shim exec --bundle DIR --pid PID --spec JSON [--error-fd N]   run a process inside it
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/shim/create.h"
#include "engine/shim/exec.h"
#include "engine/shim/monitor.h"

namespace {

const char* arg(int argc, char** argv, const char* name) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return nullptr;
}

int usage(int code) {
  std::fputs(
      "Usage: berth-shim create --bundle DIR\n"
      "       berth-shim exec --bundle DIR --pid PID --spec JSON [--error-fd N]\n\n"
      "Supervises one container for berthd (started by berthd, not by hand).\n",
      code == 0 ? stdout : stderr);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(2);
  std::string mode = argv[1];
  if (mode == "--help" || mode == "-h") return usage(0);
  if (mode == "monitor") {  // internal: the re-executed monitor of `create`
    engine::shim::MonitorConfig cfg;
    if (!engine::shim::parse_monitor_args(argc - 2, argv + 2, &cfg)) return usage(2);
    engine::shim::run_monitor(std::move(cfg));
  }
  const char* bundle = arg(argc, argv, "--bundle");
  if (!bundle) return usage(2);
  if (mode == "create") return engine::shim::run_create(bundle);
  if (mode == "exec") {
    const char* pid = arg(argc, argv, "--pid");
    const char* spec = arg(argc, argv, "--spec");
    const char* efd = arg(argc, argv, "--error-fd");
    if (!pid || !spec) return usage(2);
    return engine::shim::run_exec(bundle, std::atoi(pid), spec, efd ? std::atoi(efd) : -1);
  }
  return usage(2);
}
