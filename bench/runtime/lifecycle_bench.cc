// berth-runtime-bench: create + start + wait + remove of a container through LinuxRuntime,
// timed per run; or --rss K: K sleeping containers, then the shims' mean RSS/PSS.
//   berth-runtime-bench --rootfs DIR --state DIR [--runs N] [--rss K] [--args "/bin/true"]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/runtime/runtime.h"
#include "engine/runtime/status_file.h"

namespace {

engine::runtime::ContainerSpec make_spec(const std::string& rootfs, const std::string& id,
                                         const std::vector<std::string>& args) {
  engine::runtime::ContainerSpec s;
  s.id = id;
  s.rootfs.path = rootfs;
  s.rootfs.readonly = true;  // as the crun bundle
  s.process.args = args;
  s.process.env = {"PATH=/bin"};
  for (const char* ns : {"pid", "mount", "uts", "ipc", "net"}) s.namespaces.push_back({ns, ""});
  // One level below the root, as crun places `crun run` containers (/<id>): no parent
  // cgroup to make and remove on every run.
  s.cgroup.rel_path = "berth-bench-" + id;
  return s;
}

long kb_field(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + key.size());
  return 0;
}

int fail(const std::string& what, const engine::base::Error& e) {
  std::fprintf(stderr, "berth-runtime-bench: %s: %s\n", what.c_str(), e.str().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rootfs, state, shim;
  int runs = 1, rss = 0;
  std::vector<std::string> args = {"/bin/true"};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--rootfs") rootfs = v;
    else if (k == "--state") state = v;
    else if (k == "--runs") runs = std::atoi(v.c_str());
    else if (k == "--rss") rss = std::atoi(v.c_str());
    else if (k == "--shim") shim = v;
    else if (k == "--args") args = engine::base::split(v, ' ');
  }
  if (rootfs.empty() || state.empty()) {
    std::fputs("usage: berth-runtime-bench --rootfs DIR --state DIR [--runs N] [--rss K]\n", stderr);
    return 2;
  }
  (void)engine::base::make_dirs(state);
  auto rt = engine::runtime::make_linux_runtime(state, shim);
  std::string prefix = "b" + std::to_string(::getpid()) + "-";
  if (rss > 0) {
    std::vector<std::string> ids;
    long rss_kb = 0, pss_kb = 0;
    for (int i = 0; i < rss; ++i) {
      std::string id = prefix + std::to_string(i);
      auto c = rt->create(make_spec(rootfs, id, {"/bin/sleep", "1000"}), "");
      if (!c) return fail("create", c.error());
      ids.push_back(id);
      if (auto st = rt->start(id); !st) return fail("start", st.error());
    }
    for (const std::string& id : ids) {
      auto s = engine::runtime::read_status(state + "/" + id + "/status");
      if (!s) return fail("status", s.error());
      std::string proc = "/proc/" + std::to_string(s->shim_pid);
      rss_kb += kb_field(proc + "/status", "VmRSS:");
      pss_kb += kb_field(proc + "/smaps_rollup", "Pss:");
    }
    std::printf("shim_rss_kib_mean %.1f\nshim_pss_kib_mean %.1f\n", double(rss_kb) / rss, double(pss_kb) / rss);
    for (const std::string& id : ids) {
      (void)rt->stop(id, SIGKILL, 0);
      (void)rt->remove(id);
    }
    return 0;
  }
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    std::string id = prefix + std::to_string(i);
    auto t0 = std::chrono::steady_clock::now();
    auto lap = [&, last = t0]() mutable {
      auto now = std::chrono::steady_clock::now();
      double ms = std::chrono::duration<double, std::milli>(now - last).count();
      last = now;
      return ms;
    };
    auto c = rt->create(make_spec(rootfs, id, args), "");
    if (!c) return fail("create", c.error());
    double t_create = lap();
    if (auto st = rt->start(id); !st) return fail("start", st.error());
    double t_start = lap();
    auto w = rt->wait(id, 30000);
    if (!w) return fail("wait", w.error());
    double t_wait = lap();
    if (auto st = rt->remove(id); !st) return fail("remove", st.error());
    double t_remove = lap();
    if (std::getenv("BERTH_BENCH_PHASES"))
      std::fprintf(stderr, "create %.1f start %.1f wait %.1f remove %.1f ms\n", t_create, t_start, t_wait, t_remove);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (w->exit_code != 0) std::fprintf(stderr, "run %d: exit code %d\n", i, w->exit_code);
  }
  std::sort(times.begin(), times.end());
  if (runs > 1) std::printf("runs %d median_s %.4f min_s %.4f max_s %.4f\n", runs, times[times.size() / 2], times.front(), times.back());
  return 0;
}
