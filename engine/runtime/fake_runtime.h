#pragma once
/// FakeRuntime: an in-memory Runtime for daemon and API tests (no processes, no root).
/// It follows the same state machine as LinuxRuntime and records every call; exec results
/// and start failures are scripted.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/runtime/runtime.h"

namespace engine::runtime {

class FakeRuntime : public Runtime {
 public:
  base::Result<ContainerState> create(const ContainerSpec& spec, const std::string& bundle_dir) override;
  base::Status start(const std::string& id) override;
  base::Status kill(const std::string& id, int sig) override;
  base::Result<ContainerState> stop(const std::string& id, int sig, int timeout_s) override;
  base::Status pause(const std::string& id) override;
  base::Status resume(const std::string& id) override;
  base::Result<ContainerState> state(const std::string& id) override;
  base::Result<ContainerState> wait(const std::string& id, int timeout_ms) override;
  base::Status remove(const std::string& id) override;
  base::Result<std::vector<std::string>> list() override;
  base::Result<ExecProcess> exec_start(const std::string& id, const ExecSpec& spec) override;
  base::Result<ExecExit> exec_wait(ExecProcess& proc) override;
  base::Result<ExecExit> exec_wait_key(const std::string& id, const std::string& key, int timeout_ms) override;
  base::Result<ExecResult> exec(const std::string& id, const ExecSpec& spec, const std::string& stdin_data) override;
  base::Result<AttachStream> attach(const std::string& id) override;
  base::Status resize(const std::string& id, unsigned rows, unsigned cols) override;
  base::Status close_stdin(const std::string& id) override;
  base::Result<cgroup::Stats> stats(const std::string& id) override;

  /// Makes the container's process exit now with CODE (as if it finished by itself).
  void exit(const std::string& id, int code);
  /// Next start of ID fails with this message (exit 127, like a missing executable).
  void fail_start(const std::string& id, const std::string& message);
  /// Result returned by exec() in ID.
  void script_exec(const std::string& id, ExecResult result);
  /// Calls made, as "verb id[ arg]" lines, in order.
  std::vector<std::string> calls() const;
  /// The spec a container was created with.
  base::Result<ContainerSpec> spec(const std::string& id) const;

 private:
  struct Entry {
    ContainerSpec spec;
    ContainerState state;
    std::string start_error;
    ExecResult exec_result;
  };
  base::Result<Entry*> find(const std::string& id);
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> calls_;
  int next_pid_ = 1000;
};

}  // namespace engine::runtime
