#pragma once
/// A client of one repository on an OCI distribution (Docker Registry HTTP API v2)
/// registry: manifests, blobs (download with streaming, existence checks, cross-repo
/// mounts, monolithic uploads) and authentication. 401 answers are handled by reading
/// the WWW-Authenticate challenge: Bearer (token from the realm, anonymous or with
/// credentials) or Basic. Thread-safe: each request borrows a keep-alive connection from
/// a small pool, so layers can be fetched in parallel through one client.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/digest.h"
#include "engine/image/registry/http.h"
#include "engine/image/types.h"

namespace engine::image::registry {

/// Where per-registry CAs live: <dir>/<host[:port]>/ca.crt (Docker's certs.d layout).
inline constexpr const char* kDefaultCertsDir = "/etc/berth/certs.d";

/// The HTTPS endpoint of a registry domain (docker.io is registry-1.docker.io).
Endpoint registry_endpoint(const std::string& domain);
/// True when a registry may fall back to plain HTTP if its TLS handshake fails, as Docker
/// does for localhost, 127.0.0.0/8, ::1 and --insecure-registry entries.
bool registry_allows_http(const std::string& domain, bool insecure);

/// A manifest (or index) as fetched.
struct FetchedManifest {
  std::string body;
  std::string media_type;
  Digest digest;  ///< sha256 of body (verified against the requested digest)
};

class RegistryClient {
 public:
  /// push widens the token scope to pull,push; an empty repo is for login checks only.
  /// <certs_dir>/<domain>/ca.crt, when present, is trusted for this registry.
  RegistryClient(const std::string& domain, std::string repo, std::optional<AuthConfig> auth, bool insecure,
                 bool push = false, const std::string& certs_dir = kDefaultCertsDir);
  ~RegistryClient();
  /// GET /v2/<repo>/manifests/<tag or digest>, accepting every supported manifest type.
  base::Result<FetchedManifest> get_manifest(const std::string& reference);
  /// Streams a blob to sink, reporting bytes so far to progress; the caller verifies the digest.
  base::Status fetch_blob(const Digest& d, const BodySink& sink, const std::function<void(uint64_t)>& progress);
  /// HEAD /v2/<repo>/blobs/<digest>.
  base::Result<bool> blob_exists(const Digest& d);
  /// Tries a cross-repository mount from from_repo; returns "" when mounted, else an upload URL.
  base::Result<std::string> mount_or_start_upload(const Digest& d, const std::string& from_repo);
  /// Uploads a blob (file path, or data when path is empty), starting a session unless given one.
  base::Status upload_blob(const Digest& d, const std::string& path, const std::string& data,
                           std::string upload_url = {});
  /// PUT /v2/<repo>/manifests/<tag>; returns the manifest digest.
  base::Result<Digest> put_manifest(const std::string& tag, const std::string& body, const std::string& media_type);
  /// GET /v2/ with the configured credentials: succeeds when they are accepted (login).
  base::Status ping();
  const std::string& repo() const { return repo_; }

 private:
  /// Sends req, answering 401 challenges and following redirects; a 2xx body goes to sink.
  base::Result<HttpResponse> request(HttpRequest req, const BodySink& sink = nullptr);
  base::Status authenticate(const HttpResponse& unauthorized);
  std::unique_ptr<HttpClient> borrow(const Endpoint& ep);
  void give_back(std::unique_ptr<HttpClient> c);
  base::Error http_error(const HttpResponse& r, const std::string& what) const;
  Endpoint endpoint();
  /// After a failed TLS handshake with a registry allowed plain HTTP: switch to it.
  bool fall_back_to_http(const base::Error& e);

  Endpoint ep_;
  std::string domain_;
  std::string repo_;
  std::optional<AuthConfig> auth_;
  std::string scope_;
  bool allow_http_ = false;
  bool port_explicit_ = false;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
  std::string authorization_;  ///< current Authorization header value
};

}  // namespace engine::image::registry
