#include "engine/image/registry/client.h"

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/image/manifest.h"
#include "engine/image/registry/auth.h"

namespace engine::image::registry {

using base::Result;
using base::Status;
using nlohmann::json;

namespace {

bool is_local_host(const std::string& host) {
  return host == "localhost" || base::starts_with(host, "127.") || host == "::1" || host == "[::1]";
}

std::string registry_error_text(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("errors") || !j["errors"].is_array() || j["errors"].empty()) return "";
  std::vector<std::string> parts;
  for (const json& e : j["errors"]) {
    std::string code = e.value("code", "");
    std::string msg = e.value("message", "");
    for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::replace(code.begin(), code.end(), '_', ' ');
    parts.push_back(code.empty() ? msg : code + ": " + msg);
  }
  return base::join(parts, "; ");
}

}  // namespace

Endpoint registry_endpoint(const std::string& domain) {
  Endpoint ep;
  std::string host = domain;
  std::string port;
  size_t colon = domain.rfind(':');
  if (colon != std::string::npos && domain.find(']') == std::string::npos) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
  }
  if (host == "docker.io") host = "registry-1.docker.io";
  ep.host = host;
  ep.tls = true;
  ep.port = port.empty() ? "443" : port;
  return ep;
}

bool registry_allows_http(const std::string& domain, bool insecure) {
  return insecure || is_local_host(registry_endpoint(domain).host);
}

RegistryClient::RegistryClient(const std::string& domain, std::string repo, std::optional<AuthConfig> auth,
                               bool insecure, bool push, const std::string& certs_dir)
    : ep_(registry_endpoint(domain)), domain_(domain), repo_(std::move(repo)), auth_(std::move(auth)) {
  if (!repo_.empty()) scope_ = "repository:" + repo_ + (push ? ":pull,push" : ":pull");
  allow_http_ = registry_allows_http(domain, insecure);
  port_explicit_ = domain.find(':') != std::string::npos;
  std::string ca = certs_dir + "/" + domain + "/ca.crt";
  if (!certs_dir.empty() && base::path_exists(ca)) ep_.ca_file = ca;
}

Endpoint RegistryClient::endpoint() {
  std::lock_guard lock(mu_);
  return ep_;
}

bool RegistryClient::fall_back_to_http(const base::Error& e) {
  std::lock_guard lock(mu_);
  if (!allow_http_ || !ep_.tls || e.message.rfind("tls handshake", 0) != 0) return false;
  // A server that speaks TLS with an untrusted certificate is not downgraded.
  if (e.message.find("certificate verify failed") != std::string::npos) return false;
  ep_.tls = false;
  if (!port_explicit_) ep_.port = "80";
  idle_.clear();
  return true;
}

RegistryClient::~RegistryClient() = default;

std::unique_ptr<HttpClient> RegistryClient::borrow(const Endpoint& ep) {
  std::lock_guard lock(mu_);
  if (ep.host == ep_.host && ep.port == ep_.port && ep.tls == ep_.tls) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<HttpClient>(ep);
}

void RegistryClient::give_back(std::unique_ptr<HttpClient> c) {
  const Endpoint& ep = c->endpoint();
  std::lock_guard lock(mu_);
  if (ep.host != ep_.host || ep.port != ep_.port || ep.tls != ep_.tls) return;
  if (idle_.size() < 8) idle_.push_back(std::move(c));
}

base::Error RegistryClient::http_error(const HttpResponse& r, const std::string& what) const {
  std::string detail = registry_error_text(r.body);
  if (detail.empty()) detail = "HTTP " + std::to_string(r.status);
  base::Code code = base::Code::Unavailable;
  if (r.status == 404) code = base::Code::NotFound;
  if (r.status == 401 || r.status == 403) code = base::Code::FailedPrecondition;
  if (r.status == 400) code = base::Code::InvalidArgument;
  return base::make_error(code, what + ": " + detail);
}

Status RegistryClient::authenticate(const HttpResponse& r) {
  auto ch = parse_challenge(r.header("www-authenticate"));
  if (!ch) return base::precondition("unauthorized: registry " + domain_ + " sent no usable challenge");
  if (ch->scheme == "basic") {
    if (!auth_) return base::precondition("unauthorized: authentication required by " + domain_);
    std::lock_guard lock(mu_);
    authorization_ = basic_auth_header(*auth_);
    return {};
  }
  if (ch->scheme != "bearer") return base::precondition("unauthorized: unsupported auth scheme \"" + ch->scheme + "\"");
  auto realm = parse_url(ch->params["realm"], endpoint());
  if (!realm) return realm.take_error().wrap("token realm");
  std::string target = realm->target;
  target += (target.find('?') == std::string::npos ? "?" : "&");
  target += "service=" + url_encode(ch->params["service"]);
  std::string scope = ch->params.count("scope") ? ch->params["scope"] : scope_;
  for (const std::string& s : base::split(scope, ' '))
    if (!s.empty()) target += "&scope=" + url_encode(s);
  HttpRequest req;
  req.target = target;
  if (auth_ && !auth_->username.empty()) req.headers["Authorization"] = basic_auth_header(*auth_);
  HttpClient tc(realm->endpoint);
  auto res = tc.send(req);
  if (!res) return res.take_error().wrap("get token");
  if (res->status == 401 || res->status == 403)
    return base::precondition("unauthorized: incorrect username or password for " + domain_);
  if (res->status != 200) return http_error(*res, "get token from " + realm->endpoint.url());
  json j = json::parse(res->body, nullptr, false);
  std::string token = j.is_object() ? j.value("token", j.value("access_token", "")) : "";
  if (token.empty()) return base::invalid("get token: no token in the answer of " + realm->endpoint.url());
  std::lock_guard lock(mu_);
  authorization_ = "Bearer " + token;
  return {};
}

Result<HttpResponse> RegistryClient::request(HttpRequest req, const BodySink& sink) {
  Endpoint ep = endpoint();
  bool authed_retry = false;
  for (int hop = 0; hop < 6; ++hop) {
    Endpoint home = endpoint();
    bool same_host = ep.host == home.host && ep.port == home.port;
    if (same_host) {
      std::lock_guard lock(mu_);
      if (!authorization_.empty()) req.headers["Authorization"] = authorization_;
    } else {
      req.headers.erase("Authorization");
    }
    auto c = borrow(ep);
    auto res = c->start(req);
    if (!res) {
      if (same_host && fall_back_to_http(res.error())) {
        ep = endpoint();
        continue;
      }
      return res.take_error();
    }
    if (res->status < 200 || res->status >= 300) {
      give_back(std::move(c));  // non-2xx bodies were read by start()
    } else {
      std::string chunk(1 << 18, '\0');
      for (;;) {
        auto n = c->read_body(chunk.data(), chunk.size());
        if (!n) return n.take_error();
        if (*n == 0) break;
        if (sink) {
          BERTH_TRY(sink(chunk.data(), *n));
        } else {
          res->body.append(chunk.data(), *n);
        }
      }
      give_back(std::move(c));
      return res;
    }
    if (res->status == 401 && same_host && !authed_retry) {
      BERTH_TRY(authenticate(*res));
      authed_retry = true;
      continue;
    }
    if (res->status == 301 || res->status == 302 || res->status == 303 || res->status == 307 || res->status == 308) {
      auto loc = parse_url(res->header("location"), ep);
      if (!loc) return loc.take_error().wrap("redirect");
      ep = loc->endpoint;
      req.target = loc->target;
      if (res->status == 303) req.method = "GET";
      continue;
    }
    return res;
  }
  return base::make_error(base::Code::Unavailable, "too many redirects or authentication rounds");
}

Result<FetchedManifest> RegistryClient::get_manifest(const std::string& reference) {
  HttpRequest req;
  req.target = "/v2/" + repo_ + "/manifests/" + reference;
  req.headers["Accept"] = std::string(media::kOciIndex) + ", " + std::string(media::kDockerList) + ", " +
                          std::string(media::kOciManifest) + ", " + std::string(media::kDockerManifest);
  auto res = request(req);
  if (!res) return res.take_error();
  std::string name = domain_ + "/" + repo_ + (base::starts_with(reference, "sha256:") ? "@" : ":") + reference;
  if (res->status == 404) {
    std::string detail = registry_error_text(res->body);
    return base::not_found("manifest for " + name + " not found" + (detail.empty() ? "" : ": " + detail));
  }
  if (res->status != 200) return http_error(*res, "get manifest for " + name);
  FetchedManifest m;
  m.body = std::move(res->body);
  m.digest = sha256_of(m.body);
  std::string ct = res->header("content-type");
  if (auto semi = ct.find(';'); semi != std::string::npos) ct = ct.substr(0, semi);
  m.media_type = detect_media_type(m.body);
  if (m.media_type.empty()) m.media_type = ct;
  if (base::starts_with(reference, "sha256:") && m.digest.str() != reference)
    return base::invalid("manifest for " + name + ": digest mismatch (got " + m.digest.str() + ")");
  return m;
}

Status RegistryClient::fetch_blob(const Digest& d, const BodySink& sink, const std::function<void(uint64_t)>& progress) {
  HttpRequest req;
  req.target = "/v2/" + repo_ + "/blobs/" + d.str();
  uint64_t got = 0;
  auto counting = [&](const char* p, size_t n) -> Status {
    got += n;
    if (progress) progress(got);
    return sink(p, n);
  };
  auto res = request(req, counting);
  if (!res) return res.take_error();
  if (res->status != 200) return http_error(*res, "get blob " + d.str());
  return {};
}

Result<bool> RegistryClient::blob_exists(const Digest& d) {
  HttpRequest req;
  req.method = "HEAD";
  req.target = "/v2/" + repo_ + "/blobs/" + d.str();
  auto res = request(req);
  if (!res) return res.take_error();
  if (res->status == 200) return true;
  if (res->status == 404) return false;
  return http_error(*res, "check blob " + d.str());
}

Result<std::string> RegistryClient::mount_or_start_upload(const Digest& d, const std::string& from) {
  HttpRequest req;
  req.method = "POST";
  req.target = "/v2/" + repo_ + "/blobs/uploads/";
  if (!from.empty()) req.target += "?mount=" + url_encode(d.str()) + "&from=" + url_encode(from);
  auto res = request(req);
  if (!res) return res.take_error();
  if (res->status == 201) return std::string();
  if (res->status != 202) return http_error(*res, "start upload of " + d.str());
  std::string loc = res->header("location");
  if (loc.empty()) return base::invalid("start upload of " + d.str() + ": no Location in the answer");
  return loc;
}

Status RegistryClient::upload_blob(const Digest& d, const std::string& path, const std::string& data,
                                   std::string upload_url) {
  if (upload_url.empty()) {
    auto loc = mount_or_start_upload(d, "");
    if (!loc) return loc.take_error();
    upload_url = *loc;
  }
  auto url = parse_url(upload_url, endpoint());
  if (!url) return url.take_error();
  HttpRequest req;
  req.method = "PUT";
  req.target = url->target + (url->target.find('?') == std::string::npos ? "?" : "&") + "digest=" + url_encode(d.str());
  req.headers["Content-Type"] = "application/octet-stream";
  req.body_file = path;
  req.body = data;
  auto res = request(req);
  if (!res) return res.take_error();
  if (res->status != 201) return http_error(*res, "upload blob " + d.str());
  return {};
}

Result<Digest> RegistryClient::put_manifest(const std::string& tag, const std::string& body,
                                            const std::string& media_type) {
  HttpRequest req;
  req.method = "PUT";
  req.target = "/v2/" + repo_ + "/manifests/" + tag;
  req.headers["Content-Type"] = media_type;
  req.body = body;
  auto res = request(req);
  if (!res) return res.take_error();
  if (res->status != 201 && res->status != 200) return http_error(*res, "put manifest " + repo_ + ":" + tag);
  return sha256_of(body);
}

Status RegistryClient::ping() {
  HttpRequest req;
  req.target = "/v2/";
  auto res = request(req);
  if (!res) return res.take_error();
  if (res->status == 200) return {};
  if (res->status == 401) return base::precondition("unauthorized: incorrect username or password for " + domain_);
  return http_error(*res, "login to " + domain_);
}

}  // namespace engine::image::registry
