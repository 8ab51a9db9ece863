#pragma once
/// HTTP/1.1 server for the Docker Engine API on unix sockets and TCP (Boost.Asio + Beast).
///
/// Lifecycle: construct with a Router, listen() on one or more unix:// or tcp:// hosts, run()
/// until stop(). Requests are read asynchronously on the I/O threads (with header and
/// body timeouts and a body size limit per route); each handler then runs on a worker
/// thread and writes its response synchronously, so a handler may stream (chunked
/// output, hijacked connections) without blocking other clients. Streaming routes get
/// a dedicated thread so long waits (logs -f, events, wait) never starve the pool.
/// TLS connections are terminated by a pump (engine/api/tls.h): sessions always see a
/// plain socket, so hijacked and chunked streams work the same over TLS.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/api/router.h"
#include "engine/api/tls_options.h"
#include "engine/base/error.h"

namespace engine::api {

struct ServerOptions {
  int io_threads = 2;              ///< threads reading requests
  int workers = 16;                ///< threads running ordinary handlers
  int header_timeout_s = 60;       ///< to receive a whole request header (also idle keep-alive)
  int body_timeout_s = 300;        ///< to receive a whole request body
  size_t max_connections = 8192;   ///< further connections are accepted and closed at once
  std::string socket_group = "berth";  ///< socket is 0660 root:<group> when the group exists, else 0600
  TlsOptions tls;                  ///< for tcp:// listeners; outside loopback only with tls.verify
};

class Server {
 public:
  Server(const Router& router, ServerOptions opts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds "unix:///path" (replacing a stale socket file, refusing a live one) or
  /// "tcp://host:port" (plain HTTP on loopback only; TLS when opts.tls.enabled).
  engine::base::Status listen(const std::string& host);
  /// Serves until stop(); returns after all I/O threads have finished.
  void run();
  /// Stops accepting and ends run(); safe from any thread (and from a signal handler thread).
  void stop();
  /// Open connections right now (for tests and /info).
  size_t connections() const;

  struct Impl;  ///< implementation detail (public so the session type in server.cc can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace engine::api
