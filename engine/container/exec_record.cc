// Exec instances on disk: an exec runs under the container's shim and outlives berthd, so its
// record does too; a new berthd loads the records and waits for the running ones.
#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/container/manager_impl.h"
#include "engine/runtime/status_file.h"

namespace engine::container {

using nlohmann::json;

namespace {

json exec_to_json(const ExecInstance& x) {
  return json{{"ID", x.id},           {"ContainerID", x.container_id}, {"Spec", x.spec},
              {"AttachStdin", x.attach_stdin}, {"AttachStdout", x.attach_stdout}, {"AttachStderr", x.attach_stderr},
              {"Running", x.running}, {"Ended", x.ended}, {"ExitCode", x.exit_code}, {"Pid", x.pid}};
}

std::optional<ExecInstance> exec_from_json(const json& j) {
  try {
    ExecInstance x;
    x.id = j.at("ID").get<std::string>();
    x.container_id = j.at("ContainerID").get<std::string>();
    x.spec = j.at("Spec").get<runtime::ExecSpec>();
    x.spec.key = x.id;
    x.attach_stdin = j.value("AttachStdin", false);
    x.attach_stdout = j.value("AttachStdout", true);
    x.attach_stderr = j.value("AttachStderr", true);
    x.running = j.value("Running", false);
    x.ended = j.value("Ended", false);
    x.exit_code = j.value("ExitCode", 0);
    x.pid = j.value("Pid", 0);
    if (x.spec.args.empty()) return std::nullopt;
    return x;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

void Manager::Impl::persist_exec(const ExecInstance& x) const {
  // A removed container's directory is gone and stays gone.
  if (!entries.count(x.container_id)) return;
  std::string execs = dir(x.container_id) + "/execs";
  auto st = base::make_dirs(execs, 0700);
  if (st) st = runtime::write_file_nosync(execs + "/" + x.id + ".json", exec_to_json(x).dump(), 0600);
  if (!st) base::log_error("exec " + x.id.substr(0, 12) + ": save record: " + st.error().str());
}

void Manager::Impl::load_execs() {
  std::vector<std::string> running;
  {
    std::lock_guard lock(mu);
    for (const auto& [id, e] : entries) {
      std::error_code ec;
      for (const auto& de : std::filesystem::directory_iterator(dir(id) + "/execs", ec)) {
        auto text = base::read_file(de.path().string());
        if (!text) continue;
        auto x = exec_from_json(json::parse(*text, nullptr, false));
        if (!x || x->container_id != id) continue;
        if (x->running) running.push_back(x->id);
        execs[x->id] = std::move(*x);
      }
    }
  }
  for (const std::string& id : running) adopt_exec(id);
}

void Manager::Impl::adopt_exec(const std::string& exec_id) {
  std::lock_guard lock(monitors_mu);
  monitors.emplace_back([this, exec_id] {
    std::string cid;
    {
      std::lock_guard l(mu);
      auto it = execs.find(exec_id);
      if (it == execs.end()) return;
      cid = it->second.container_id;
    }
    for (;;) {
      if (closing) return;
      auto done = d.runtime->exec_wait_key(cid, exec_id, 500);
      if (!done && done.error().code == base::Code::Unavailable && !closing) continue;  // still running
      std::lock_guard l(mu);
      auto it = execs.find(exec_id);
      if (it == execs.end()) return;
      ExecInstance& x = it->second;
      x.running = false;
      x.ended = true;
      x.exit_code = done ? done->exit_code : 126;
      persist_exec(x);
      cv.notify_all();
      return;
    }
  });
}

}  // namespace engine::container
