#pragma once
/// FakeEngine: an in-memory EngineClient that records every call (ninja's FakeCommandRunner)
/// and can be scripted: container health and exit codes per service, failing creates,
/// slow starts (to observe concurrency).
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "compose/plan/engine_client.h"

namespace test {

struct FakeContainer {
  std::string id, name, image, image_id;
  std::string state = "created";
  std::string health;  ///< "" without a healthcheck
  int64_t exit_code = 0;
  std::map<std::string, std::string> labels;
  compose::plan::Json body;
};

class FakeEngine : public compose::plan::EngineClient {
 public:
  using Json = compose::plan::Json;
  template <class T>
  using Result = engine::base::Result<T>;
  using Status = engine::base::Status;

  // Script.
  std::map<std::string, std::string> health_after_start;  ///< service -> health when started (default healthy)
  std::map<std::string, int64_t> exit_after_start;        ///< service -> exits at once with this code
  std::set<std::string> fail_create;                      ///< container names whose create fails
  std::map<std::string, std::string> images;              ///< ref -> id (present locally)
  int start_delay_ms = 0;
  std::vector<compose::plan::BuildRequest> builds;        ///< every build_image request, in order

  // Observations.
  std::vector<std::string> calls() const;
  /// Calls that start with `prefix` (e.g. "start ").
  std::vector<std::string> calls_with(const std::string& prefix) const;
  void clear_calls();
  int max_concurrent_starts() const { return max_active_; }
  std::map<std::string, FakeContainer> containers_by_name() const;
  std::set<std::string> networks() const;
  std::set<std::string> volumes() const;
  /// Adds a network or volume that exists before the test (e.g. external).
  void add_network(const std::string& n);
  void add_volume(const std::string& n);

  Result<std::vector<compose::plan::ContainerSummary>> list_containers(const std::vector<std::string>& labels,
                                                                       bool all) override;
  Result<std::string> create_container(const std::string& name, const Json& body) override;
  Status start_container(const std::string& id) override;
  Status stop_container(const std::string& id, int timeout_s) override;
  Status restart_container(const std::string& id, int timeout_s) override;
  Status kill_container(const std::string& id, const std::string& signal) override;
  Status pause_container(const std::string& id) override;
  Status unpause_container(const std::string& id) override;
  Status remove_container(const std::string& id, bool force, bool volumes) override;
  Result<compose::plan::ContainerState> inspect_container(const std::string& id) override;
  Result<int64_t> wait_container(const std::string& id) override;
  /// No events here: waits a millisecond and reports a timeout (callers then poll).
  Result<bool> wait_container_event(const std::string& id, int64_t since_ns, std::chrono::milliseconds timeout) override;
  Status container_logs(const std::string& id, const compose::plan::LogOptions& opts,
                        const compose::plan::OutputSink& sink) override;
  Result<int64_t> exec(const std::string& id, const compose::plan::ExecOptions& opts,
                       const compose::plan::OutputSink& sink) override;
  Result<Json> top(const std::string& id) override;
  Result<std::vector<compose::plan::ResourceInfo>> list_networks(const std::vector<std::string>& labels) override;
  Result<compose::plan::ResourceInfo> inspect_network(const std::string& name) override;
  Status create_network(const Json& body) override;
  Status remove_network(const std::string& name) override;
  Status connect_network(const std::string& network, const std::string& container, const Json& ep) override;
  Result<std::vector<compose::plan::ResourceInfo>> list_volumes(const std::vector<std::string>& labels) override;
  Result<compose::plan::ResourceInfo> inspect_volume(const std::string& name) override;
  Status create_volume(const Json& body) override;
  Status remove_volume(const std::string& name) override;
  Result<std::string> image_id(const std::string& ref) override;
  Status pull_image(const std::string& ref) override;
  Status remove_image(const std::string& ref) override;
  Result<std::string> build_image(const compose::plan::BuildRequest& req,
                                  const compose::plan::OutputSink& out) override;
  Status push_image(const std::string& ref, const compose::plan::OutputSink& out) override;

 private:
  void record(const std::string& call);
  FakeContainer* find(const std::string& id);  ///< by id or name; mu_ held

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  std::map<std::string, FakeContainer> containers_;  ///< by id
  std::map<std::string, Json> networks_, volumes_;
  int next_id_ = 1;
  int active_ = 0, max_active_ = 0;
};

}  // namespace test
