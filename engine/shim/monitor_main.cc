// berth-shim-monitor: started only by `berth-shim create` (execve keeps the container as its
// child); runs the monitor loop from a small static image.
#include <cstdio>

#include "engine/shim/monitor.h"

int main(int argc, char** argv) {
  engine::shim::MonitorConfig cfg;
  if (argc < 2 || !engine::shim::parse_monitor_args(argc - 1, argv + 1, &cfg)) {
    std::fputs("berth-shim-monitor: started by berth-shim create, not by hand\n", stderr);
    return 2;
  }
  engine::shim::run_monitor(std::move(cfg));
}
