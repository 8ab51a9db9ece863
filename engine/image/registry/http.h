#pragma once
/// A small synchronous HTTP/1.1 client (Boost.Beast; TLS with OpenSSL, peer verified
/// against the system CAs) for the registry protocol. One HttpClient holds one
/// keep-alive connection; use one per thread. Response bodies can be streamed to a sink.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/base/error.h"

namespace engine::image::registry {

/// scheme://host:port.
struct Endpoint {
  std::string host;
  std::string port;
  bool tls = true;
  std::string ca_file;  ///< extra trusted CA (PEM) besides the system ones, or empty
  std::string url() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

/// A parsed absolute or relative URL (for Location headers and token realms).
struct Url {
  Endpoint endpoint;
  std::string target;  ///< path and query
};
/// Parses "https://h[:p]/path?q"; a relative "/path" is resolved against base.
base::Result<Url> parse_url(const std::string& s, const Endpoint& base);

struct HttpRequest {
  std::string method = "GET";
  std::string target;                          ///< "/v2/..."
  std::map<std::string, std::string> headers;  ///< sent as given
  std::string body;                            ///< used when body_file is empty
  std::string body_file;                       ///< stream this file as the body
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lowercase names
  std::string body;                            ///< empty when a sink consumed it
  std::string header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// Receives body bytes; returning an error aborts the transfer.
using BodySink = std::function<base::Status(const char* data, size_t n)>;

class HttpClient {
 public:
  explicit HttpClient(Endpoint ep);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  /// Sends req; with a sink, a 2xx body is streamed to it instead of being buffered.
  base::Result<HttpResponse> send(const HttpRequest& req, const BodySink& sink = nullptr);
  /// Sends req and reads the head only; a 2xx body is then pulled with read_body()
  /// (other answers come with their body buffered).
  base::Result<HttpResponse> start(const HttpRequest& req);
  /// Next body bytes of a started response: count, 0 at the end.
  base::Result<size_t> read_body(char* buf, size_t n);
  const Endpoint& endpoint() const { return ep_; }

 private:
  struct Conn;
  base::Status connect();
  base::Result<HttpResponse> start_once(const HttpRequest& req);
  std::string what_;  ///< "METHOD url" of the request in flight, for errors
  Endpoint ep_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace engine::image::registry
