#include "engine/build/run_step.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/base/scope_exit.h"

namespace engine::build {
namespace fs = std::filesystem;

RunFn make_runtime_run_fn(runtime::Runtime& rt, std::string state_root, OutputFn out) {
  return [&rt, state_root = std::move(state_root), out = std::move(out)](const RunRequest& req) -> base::Result<int> {
    static std::atomic<unsigned> counter{0};
    std::string id = "berth-build-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    runtime::ContainerSpec spec;
    spec.id = id;
    spec.hostname = id.substr(0, 12);
    spec.rootfs.lowerdirs = req.lowerdirs;
    spec.process.args = req.argv;
    spec.process.env = req.env;
    bool has_path = false;
    for (const auto& e : req.env) has_path = has_path || e.starts_with("PATH=");
    if (!has_path) spec.process.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    spec.process.cwd = req.working_dir.empty() ? "/" : req.working_dir;
    spec.process.user = req.user;
    for (const char* ns : {"pid", "mount", "uts", "ipc"}) spec.namespaces.push_back({ns, ""});
    spec.log.path = req.upper_dir + ".log";
    auto cleanup = base::ScopeExit([&] {
      (void)rt.remove(id);
      std::error_code ec;
      fs::remove(spec.log.path, ec);
    });
    if (auto c = rt.create(spec, ""); !c) return c.take_error();
    if (auto s = rt.start(id); !s) return s.take_error();
    auto st = rt.wait(id);
    if (!st) return st.take_error();
    std::ifstream log(spec.log.path);
    for (std::string line; std::getline(log, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("log") && j["log"].is_string()) out(j["log"].get<std::string>());
    }
    std::error_code ec;
    fs::remove_all(req.upper_dir, ec);
    fs::rename(state_root + "/" + id + "/upper", req.upper_dir, ec);
    if (ec) return base::internal("move upper dir of " + id + ": " + ec.message());
    return st->exit_code;
  };
}

}  // namespace engine::build
