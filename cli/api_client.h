#pragma once
/// ApiClient: the Docker Engine API over a unix socket or TCP, with TLS as the docker CLI
/// does it (Boost.Beast, synchronous), used by the berth CLI and by tests. One connection
/// per request.
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/api/tls_options.h"
#include "engine/base/error.h"

namespace cli {

inline constexpr std::string_view kDefaultHost = "unix:///run/berth/berth.sock";

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-cased names
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
  /// The daemon's {"message": ...} or the raw body.
  std::string error_message() const;
  nlohmann::json json() const;
};

class ApiClient {
 public:
  /// host is "unix:///path" or "tcp://host:port" (TLS per tls: enabled, verify, files).
  explicit ApiClient(std::string host, engine::api::TlsOptions tls = {});
  const std::string& host() const { return host_; }
  /// Socket path of a unix host ("" otherwise).
  std::string socket_path() const;

  /// Sends one request and reads the whole response. Unavailable when the daemon cannot be reached.
  engine::base::Result<HttpResponse> request(const std::string& method, const std::string& path,
                                             const std::string& body = {},
                                             const std::string& content_type = "application/json") const;
  /// Sends one request and hands each body chunk to on_data as it arrives (until it returns false).
  /// Returns the response head (status, headers; body empty unless the status is an error).
  /// HEADERS are added to the request; CONTENT_TYPE names the body's type.
  engine::base::Result<HttpResponse> stream(const std::string& method, const std::string& path,
                                            const std::string& body,
                                            const std::function<bool(std::string_view)>& on_data,
                                            const std::vector<std::pair<std::string, std::string>>& headers = {},
                                            const std::string& content_type = "application/json") const;
  /// A hijacked connection (attach, exec start): after the 101/200 head the socket carries
  /// the raw stream both ways. `early` holds stream bytes read together with the head.
  /// Over TLS, fd is a socketpair end relayed to the TLS connection by a background thread.
  struct Hijacked {
    int fd = -1;  ///< owned by the caller (close it)
    std::string early;
    HttpResponse head;  ///< status, headers; body holds the error text when not 101/200
  };
  /// Sends the request with "Upgrade: tcp" and returns the connection once the head arrived.
  engine::base::Result<Hijacked> hijack(const std::string& method, const std::string& path,
                                        const std::string& body = {}) const;

  /// GET /_ping == "OK".
  engine::base::Status ping() const;

 private:
  std::string host_;
  engine::api::TlsOptions tls_;
};

/// Percent-encodes a query value.
std::string url_encode(std::string_view s);

}  // namespace cli
