#include "engine/image/registry/http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <limits>
#include <optional>

namespace engine::image::registry {

using base::Result;
using base::Status;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kTimeout = std::chrono::seconds(120);
constexpr uint64_t kMaxBuffered = 64ull << 20;  // manifests, tokens, error bodies
}  // namespace

Result<Url> parse_url(const std::string& s, const Endpoint& base) {
  Url u;
  if (!s.empty() && s.front() == '/') {
    u.endpoint = base;
    u.target = s;
    return u;
  }
  size_t scheme_end = s.find("://");
  if (scheme_end == std::string::npos) return base::invalid("invalid URL \"" + s + "\"");
  std::string scheme = s.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return base::invalid("unsupported URL scheme in \"" + s + "\"");
  u.endpoint.tls = scheme == "https";
  size_t host_start = scheme_end + 3;
  size_t path_start = s.find_first_of("/?", host_start);
  std::string hostport = s.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  u.target = path_start == std::string::npos ? "/" : s.substr(path_start);
  if (u.target.front() == '?') u.target = "/" + u.target;
  size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    u.endpoint.host = hostport.substr(0, colon);
    u.endpoint.port = hostport.substr(colon + 1);
  } else {
    u.endpoint.host = hostport;
    u.endpoint.port = u.endpoint.tls ? "443" : "80";
  }
  if (u.endpoint.host.empty()) return base::invalid("invalid URL \"" + s + "\"");
  return u;
}

struct HttpClient::Conn {
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buf;
  bool used = false;
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

HttpClient::HttpClient(Endpoint ep) : ep_(std::move(ep)) {}
HttpClient::~HttpClient() = default;

Status HttpClient::connect() {
  conn_ = std::make_unique<Conn>();
  beast::error_code ec;
  tcp::resolver resolver(conn_->io);
  auto results = resolver.resolve(ep_.host, ep_.port, ec);
  if (ec) return base::make_error(base::Code::Unavailable, "resolve " + ep_.host + ": " + ec.message());
  if (ep_.tls) {
    conn_->ssl.set_default_verify_paths();
    conn_->ssl.set_verify_mode(asio::ssl::verify_peer);
    conn_->secure.emplace(conn_->io, conn_->ssl);
    if (!SSL_set_tlsext_host_name(conn_->secure->native_handle(), ep_.host.c_str()))
      return base::internal("tls: set SNI for " + ep_.host);
    conn_->secure->set_verify_callback(asio::ssl::host_name_verification(ep_.host));
  } else {
    conn_->plain.emplace(conn_->io);
  }
  conn_->lowest().expires_after(kTimeout);
  conn_->lowest().connect(results, ec);
  if (ec) return base::make_error(base::Code::Unavailable, "connect " + ep_.url() + ": " + ec.message());
  if (ep_.tls) {
    conn_->secure->handshake(asio::ssl::stream_base::client, ec);
    if (ec) return base::make_error(base::Code::Unavailable, "tls handshake with " + ep_.url() + ": " + ec.message());
  }
  return {};
}

namespace {

template <class Stream, class Req>
Result<HttpResponse> exchange(Stream& s, beast::tcp_stream& low, beast::flat_buffer& buf, Req& req,
                              const std::string& method, const BodySink& sink, const std::string& what) {
  beast::error_code ec;
  low.expires_after(kTimeout);
  http::write(s, req, ec);
  if (ec) return base::make_error(base::Code::Unavailable, what + ": send: " + ec.message());
  http::response_parser<http::buffer_body> p;
  p.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (method == "HEAD") p.skip(true);
  low.expires_after(kTimeout);
  http::read_header(s, buf, p, ec);
  if (ec) return base::make_error(base::Code::Unavailable, what + ": read response: " + ec.message());
  HttpResponse out;
  out.status = static_cast<int>(p.get().result_int());
  for (const auto& f : p.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  bool stream = sink && out.status >= 200 && out.status < 300;
  std::string chunk(1 << 18, '\0');
  uint64_t total = 0;
  while (!p.is_done()) {
    p.get().body().data = chunk.data();
    p.get().body().size = chunk.size();
    low.expires_after(kTimeout);
    http::read(s, buf, p, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return base::make_error(base::Code::Unavailable, what + ": read body: " + ec.message());
    size_t n = chunk.size() - p.get().body().size;
    total += n;
    if (stream) {
      BERTH_TRY(sink(chunk.data(), n));
    } else {
      if (total > kMaxBuffered) return base::invalid(what + ": response body too large");
      out.body.append(chunk.data(), n);
    }
  }
  if (!p.keep_alive()) out.headers["x-berth-close"] = "1";
  return out;
}

}  // namespace

Result<HttpResponse> HttpClient::send_once(const HttpRequest& r, const BodySink& sink) {
  if (!conn_) BERTH_TRY(connect());
  conn_->used = true;
  std::string what = r.method + " " + ep_.url() + r.target;
  http::verb verb = http::string_to_verb(r.method);
  auto fill = [&](auto& req) {
    req.method(verb);
    req.target(r.target);
    req.version(11);
    req.set(http::field::host, ep_.host + ((ep_.port == "443" && ep_.tls) || (ep_.port == "80" && !ep_.tls) ? "" : ":" + ep_.port));
    req.set(http::field::user_agent, "berth/0.1");
    for (const auto& [k, v] : r.headers) req.set(k, v);
  };
  Result<HttpResponse> res = base::internal("unreachable");
  if (!r.body_file.empty()) {
    http::request<http::file_body> req;
    fill(req);
    beast::error_code ec;
    req.body().open(r.body_file.c_str(), beast::file_mode::scan, ec);
    if (ec) return base::make_error(base::Code::Internal, "open " + r.body_file + ": " + ec.message());
    req.prepare_payload();
    res = conn_->secure ? exchange(*conn_->secure, conn_->lowest(), conn_->buf, req, r.method, sink, what)
                        : exchange(*conn_->plain, conn_->lowest(), conn_->buf, req, r.method, sink, what);
  } else {
    http::request<http::string_body> req;
    fill(req);
    req.body() = r.body;
    if (!r.body.empty() || r.method == "PUT" || r.method == "POST" || r.method == "PATCH") req.prepare_payload();
    res = conn_->secure ? exchange(*conn_->secure, conn_->lowest(), conn_->buf, req, r.method, sink, what)
                        : exchange(*conn_->plain, conn_->lowest(), conn_->buf, req, r.method, sink, what);
  }
  if (!res || res->headers.count("x-berth-close")) conn_.reset();
  return res;
}

Result<HttpResponse> HttpClient::send(const HttpRequest& req, const BodySink& sink) {
  bool reused = conn_ && conn_->used;
  auto r = send_once(req, sink);
  // A kept-alive connection the server closed meanwhile: retry once on a fresh one.
  if (!r && reused && r.error().code == base::Code::Unavailable &&
      r.error().message.find(": read body:") == std::string::npos) {
    conn_.reset();
    return send_once(req, sink);
  }
  return r;
}

}  // namespace engine::image::registry
