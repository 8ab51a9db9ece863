#pragma once
/// LinuxRuntime: the Runtime over berth-shim processes and bundle directories (internal to
/// engine/runtime: linux_runtime.cc holds the lifecycle, linux_exec.cc exec).
#include <string>
#include <vector>

#include "engine/base/fs.h"
#include "engine/runtime/deferred_remover.h"
#include "engine/runtime/runtime.h"
#include "engine/runtime/status_file.h"

namespace engine::runtime {

/// One berth-shim per container; no state in memory (see runtime.h).
class LinuxRuntime : public Runtime {
 public:
  /// Also queues the removal of trash an earlier instance left (see remove()).
  LinuxRuntime(std::string root, std::string shim);

  base::Result<ContainerState> create(const ContainerSpec& spec, const std::string& bundle_dir) override;
  base::Status start(const std::string& id) override;
  base::Status kill(const std::string& id, int sig) override;
  base::Result<ContainerState> stop(const std::string& id, int sig, int timeout_s) override;
  base::Status pause(const std::string& id) override { return freeze(id, true); }
  base::Status resume(const std::string& id) override { return freeze(id, false); }
  base::Result<ContainerState> state(const std::string& id) override;
  base::Result<ContainerState> wait(const std::string& id, int timeout_ms) override;
  base::Status remove(const std::string& id) override;
  base::Result<std::vector<std::string>> list() override;
  base::Result<ExecProcess> exec_start(const std::string& id, const ExecSpec& spec) override;
  base::Result<ExecExit> exec_wait(ExecProcess& proc) override;
  base::Result<ExecExit> exec_wait_key(const std::string& id, const std::string& key, int timeout_ms) override;
  base::Result<AttachStream> attach(const std::string& id) override;
  base::Status resize(const std::string& id, unsigned rows, unsigned cols) override;
  base::Status close_stdin(const std::string& id) override { return request_ok(id, "close-stdin"); }
  base::Result<cgroup::Stats> stats(const std::string& id) override;

 private:
  std::string bundle(const std::string& id) const { return root_ + "/" + id; }
  base::Result<ContainerSpec> load_spec(const std::string& id) const {
    auto text = base::read_file(bundle(id) + "/config.json");
    if (!text) return base::not_found("no such container: " + id);
    return spec_from_string(*text);
  }
  base::Status freeze(const std::string& id, bool on);
  base::Status request_ok(const std::string& id, const std::string& line);
  /// The shim died without recording the exit: kill what is left in the container's cgroup
  /// and record it as killed (137), as Docker does when a shim disappears.
  void settle_orphan(const std::string& id, ShimStatus& s);

  std::string shim_binary() const { return shim_.empty() ? base::find_helper_binary("berth-shim") : shim_; }

  std::string root_;
  std::string shim_;
  DeferredRemover trash_;  ///< removed bundles, renamed to <root>/.trash-<id>-<n>, deleted off the caller's path
};

/// Turns a shim's "err <message>" reply into an Error with a fitting code.
base::Error from_reply(const std::string& reply, const std::string& what);

}  // namespace engine::runtime
