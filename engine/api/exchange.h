#pragma once
/// One HTTP request and the means to answer it: a whole response, a streamed
/// (chunked) response, or a hijacked raw connection (attach/exec "Upgrade: tcp").
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.h"

namespace engine::api {

struct Request {
  std::string method;
  std::string target;                          ///< raw target with query
  std::string path;                            ///< without version prefix and query
  std::string api_version;                     ///< negotiated from the path, else the server's
  std::multimap<std::string, std::string> query;  ///< decoded query parameters
  std::map<std::string, std::string> headers;  ///< lower-cased names
  std::map<std::string, std::string> params;   ///< path parameters from the route pattern
  std::string body;

  /// First value of a query parameter, if present.
  std::optional<std::string> q(const std::string& key) const;
  /// Query parameter as Docker reads booleans ("1", "true", "True"; absent = fallback).
  bool q_bool(const std::string& key, bool fallback = false) const;
  /// Query parameter as an integer; InvalidArgument naming the parameter when malformed.
  engine::base::Result<long long> q_int(const std::string& key, long long fallback) const;
  std::string header(const std::string& lower_name) const;
  /// Parses the body as JSON (empty body = null); 400-class error on malformed JSON.
  engine::base::Result<nlohmann::json> json() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Maps an error category to its HTTP status (the one table: NotFound 404, ...).
int http_status(engine::base::Code code);
/// {"message": "..."} with the status for the error's code.
Response error_response(const engine::base::Error& e);
Response json_response(const nlohmann::json& j, int status = 200);

/// Connection-side operations a handler uses. Exactly one of respond(), a stream
/// (begin_stream ... end_stream) or hijack() per request.
class Exchange {
 public:
  explicit Exchange(Request req) : req_(std::move(req)) {}
  virtual ~Exchange() = default;
  const Request& req() const { return req_; }
  Request& req() { return req_; }

  virtual void respond(Response r) = 0;
  void respond_error(const engine::base::Error& e) { respond(error_response(e)); }
  void respond_json(const nlohmann::json& j, int status = 200) { respond(json_response(j, status)); }
  void respond_empty(int status = 204) { respond(Response{status, "", {}, ""}); }

  /// Starts a chunked response; false when the client has gone.
  virtual bool begin_stream(int status, const std::string& content_type) = 0;
  /// Writes one chunk; false when the client has gone.
  virtual bool write_chunk(std::string_view data) = 0;
  virtual void end_stream() = 0;
  /// Takes over the connection: writes the 101/200 header and returns the socket fd,
  /// which the handler now owns (closes it). -1 on failure. Bytes the client sent
  /// after the request are in *pending.
  virtual int hijack(bool upgrade, const std::string& content_type, std::string* pending) = 0;
  /// True once the peer has closed its side (for long polls).
  virtual bool client_gone() = 0;
  virtual bool responded() const = 0;

 protected:
  Request req_;
};

}  // namespace engine::api
