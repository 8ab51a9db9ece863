#pragma once
/// /images endpoints of the Docker Engine API (v1.41 shapes) over an ImageService:
/// list, inspect, history, tag, remove, prune (image_routes.cc); load, save, create
/// (pull or import), push and /auth (image_transfer_routes.cc).
///
/// Progress of pull, push and load is streamed as Docker's JSON messages, one per line:
/// {"status":"Downloading","progressDetail":{"current":1,"total":2},"progress":"[=> ] ...","id":"abc"};
/// an error after the stream has begun is sent as {"errorDetail":{"message":m},"error":m}.
/// Request bodies (load, import) are read into memory, up to kMaxArchiveBody.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/api/router.h"
#include "engine/base/error.h"
#include "engine/base/unique_fd.h"
#include "engine/events/bus.h"
#include "engine/image/service.h"

namespace engine::api {

/// Largest tar body accepted by POST /images/load and /images/create?fromSrc=-.
inline constexpr size_t kMaxArchiveBody = size_t(4) << 30;

struct ImageDeps {
  engine::image::ImageService* images = nullptr;
  engine::events::EventBus* events = nullptr;  ///< optional: image events (pull, tag, delete, ...)
  engine::image::InUseFn in_use;               ///< images containers use; empty = none in use
};

/// Registers every /images route plus /auth.
void add_image_routes(Router& r, const ImageDeps& deps);
/// Publishes an image event (pull, tag, delete, …) with a "name" attribute when name is not empty.
void emit_image_event(const ImageDeps& d, const std::string& action, const std::string& id, const std::string& name);
/// list, inspect, history, tag, remove, prune.
void add_image_query_routes(Router& r, const ImageDeps& deps);
/// load, save, create (pull/import), push, /auth.
void add_image_transfer_routes(Router& r, const ImageDeps& deps);

/// A streamed application/json answer of Docker JSON messages (pull, push, load, import,
/// build). The HTTP status is sent with the first message, so an error before any
/// message is still a plain {"message"} error with its status; after, it is an errorDetail.
class JsonMessageStream {
 public:
  explicit JsonMessageStream(Exchange& ex) : ex_(ex) {}
  ~JsonMessageStream() { finish(); }
  JsonMessageStream(const JsonMessageStream&) = delete;
  JsonMessageStream& operator=(const JsonMessageStream&) = delete;
  /// Sends one message (starting the stream); false once the client has gone.
  bool send(const nlohmann::json& message);
  /// Ends with an error: a {"message"} response if nothing was sent yet, else an errorDetail message.
  void fail(const engine::base::Error& e);
  /// Ends the stream (an empty 200 stream if nothing was sent); idempotent.
  void finish();
  bool started() const { return started_; }

 private:
  Exchange& ex_;
  bool started_ = false, gone_ = false, done_ = false;
};

/// POST /images/create?fromSrc=-: docker import of the request body (image_import_routes.cc).
void handle_image_import(Exchange& ex, const ImageDeps& deps);

/// One progress event as Docker's JSON message.
nlohmann::json progress_message(const engine::image::ProgressEvent& e);
/// Docker's progress bar text: "[=====>      ]  1.23MB/4.56MB" (empty without numbers).
std::string progress_bar(uint64_t current, uint64_t total);
/// Decodes an X-Registry-Auth header (base64url JSON auth config). Like dockerd, an empty,
/// "{}" or malformed header means "no credentials" (nullopt), not an error.
std::optional<engine::image::AuthConfig> decode_registry_auth(const std::string& header);
/// Docker's ContainerConfig from `--change` instructions ("CMD [\"sh\"]", "ENV A=1", ...).
engine::base::Result<engine::image::ContainerConfig> parse_changes(const std::vector<std::string>& changes);
/// Moves a request body into an anonymous memory file (seeked to 0) for fd-based readers.
engine::base::Result<engine::base::UniqueFd> body_to_memfd(std::string& body, const char* what);
/// Percent-decodes a path parameter ("a%2Fb" -> "a/b").
std::string decode_path_param(const std::string& s);

}  // namespace engine::api
