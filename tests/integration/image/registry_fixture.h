#pragma once
/// Starts Debian's docker-registry on 127.0.0.1:<free port> with a temporary config and
/// storage (optionally htpasswd basic auth) and kills it on destruction, even when a test
/// fails.
#include <sys/types.h>

#include <string>

#include "tests/support/test_util.h"

namespace test {

class Registry {
 public:
  /// With user non-empty, the registry requires basic auth (bcrypt htpasswd entry).
  /// With tls, it serves HTTPS with a fresh self-signed certificate for 127.0.0.1.
  explicit Registry(const std::string& user = "", const std::string& password = "", bool tls = false);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  /// "127.0.0.1:<port>".
  const std::string& host() const { return host_; }
  /// The self-signed certificate (PEM) when started with tls.
  std::string cert_path() const { return dir_.path() + "/cert.pem"; }
  /// Storage path of a blob's data file.
  std::string blob_data_path(const std::string& hex) const;

 private:
  TempDir dir_{"berth-registry"};
  std::string host_;
  pid_t pid_ = -1;
};

/// Serves a directory over plain HTTP on 127.0.0.1:<free port> with `busybox httpd`
/// (with Last-Modified headers); killed on destruction.
class StaticHttpServer {
 public:
  explicit StaticHttpServer(const std::string& dir);
  ~StaticHttpServer();
  StaticHttpServer(const StaticHttpServer&) = delete;
  StaticHttpServer& operator=(const StaticHttpServer&) = delete;
  /// "http://127.0.0.1:<port>".
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  pid_t pid_ = -1;
};

/// A port nobody listens on right now.
int free_port();

}  // namespace test
