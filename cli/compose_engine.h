#pragma once
/// ComposeEngine: compose's EngineClient over the Docker Engine API (v1.41 shapes) through
/// cli::ApiClient. One HTTP request per call; safe to use from several threads (each call
/// opens its own connection).
#include <string>

#include "cli/api_client.h"
#include "compose/plan/engine_client.h"

namespace cli {

class ComposeEngine : public compose::plan::EngineClient {
 public:
  using Json = compose::plan::Json;
  template <class T>
  using Result = engine::base::Result<T>;
  using Status = engine::base::Status;

  explicit ComposeEngine(ApiClient api) : api_(std::move(api)) {}

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

  /// The API client (streams and hijacked connections the interface does not cover: events, attach).
  const ApiClient& api() const { return api_; }

 private:
  /// Sends a request; non-2xx becomes an Error whose Code follows the HTTP status.
  Result<HttpResponse> call(const std::string& method, const std::string& path, const std::string& body = {});

  ApiClient api_;
};

/// Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers); keeps partial frames.
class StreamDemuxer {
 public:
  explicit StreamDemuxer(compose::plan::OutputSink sink) : sink_(std::move(sink)) {}
  /// Feeds raw bytes; returns false when the sink asked to stop.
  bool feed(std::string_view data);

 private:
  compose::plan::OutputSink sink_;
  std::string buf_;
  int mode_ = -1;  ///< -1 undecided, 0 raw (tty), 1 multiplexed
};

}  // namespace cli
