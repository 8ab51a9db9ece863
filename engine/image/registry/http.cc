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
  if (u.endpoint.host == base.host) u.endpoint.ca_file = base.ca_file;
  return u;
}

struct HttpClient::Conn {
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buf;
  std::optional<http::response_parser<http::buffer_body>> parser;
  bool used = false;
  bool body_pending = false;
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  template <class F>
  auto with_stream(F&& f) {
    return secure ? f(*secure) : f(*plain);
  }
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
    if (!ep_.ca_file.empty()) {
      conn_->ssl.load_verify_file(ep_.ca_file, ec);
      if (ec) return base::make_error(base::Code::Internal, "load CA " + ep_.ca_file + ": " + ec.message());
    }
    conn_->ssl.set_verify_mode(asio::ssl::verify_peer);
    conn_->secure.emplace(conn_->io, conn_->ssl);
    if (!SSL_set_tlsext_host_name(conn_->secure->native_handle(), ep_.host.c_str()))
      return base::internal("tls: set SNI for " + ep_.host);
    conn_->secure->set_verify_callback(asio::ssl::host_name_verification(ep_.host));
  } else {
    conn_->plain.emplace(conn_->io);
  }
  conn_->buf.reserve(1 << 20);  // lets Beast read 64 KiB at a time instead of 512 bytes
  conn_->lowest().expires_after(kTimeout);
  conn_->lowest().connect(results, ec);
  if (ec) return base::make_error(base::Code::Unavailable, "connect " + ep_.url() + ": " + ec.message());
  if (ep_.tls) {
    conn_->secure->handshake(asio::ssl::stream_base::client, ec);
    if (ec) return base::make_error(base::Code::Unavailable, "tls handshake with " + ep_.url() + ": " + ec.message());
  }
  return {};
}

Result<HttpResponse> HttpClient::start_once(const HttpRequest& r) {
  if (conn_ && conn_->body_pending) conn_.reset();  // an unfinished body: start afresh
  if (!conn_) BERTH_TRY(connect());
  conn_->used = true;
  conn_->body_pending = false;
  what_ = r.method + " " + ep_.url() + r.target;
  const http::verb verb = http::string_to_verb(r.method);
  auto fill = [&](auto& req) {
    req.method(verb);
    req.target(r.target);
    req.version(11);
    bool default_port = (ep_.port == "443" && ep_.tls) || (ep_.port == "80" && !ep_.tls);
    req.set(http::field::host, ep_.host + (default_port ? "" : ":" + ep_.port));
    req.set(http::field::user_agent, "berth/0.1");
    for (const auto& [k, v] : r.headers) req.set(k, v);
  };
  beast::error_code ec;
  conn_->lowest().expires_after(kTimeout);
  if (!r.body_file.empty()) {
    http::request<http::file_body> req;
    fill(req);
    req.body().open(r.body_file.c_str(), beast::file_mode::scan, ec);
    if (ec) return base::make_error(base::Code::Internal, "open " + r.body_file + ": " + ec.message());
    req.prepare_payload();
    conn_->with_stream([&](auto& s) { return http::write(s, req, ec); });
  } else {
    http::request<http::string_body> req;
    fill(req);
    req.body() = r.body;
    if (!r.body.empty() || r.method == "PUT" || r.method == "POST" || r.method == "PATCH") req.prepare_payload();
    conn_->with_stream([&](auto& s) { return http::write(s, req, ec); });
  }
  if (ec) return base::make_error(base::Code::Unavailable, what_ + ": send: " + ec.message());
  conn_->parser.emplace();
  conn_->parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  if (r.method == "HEAD") conn_->parser->skip(true);
  conn_->lowest().expires_after(kTimeout);
  conn_->with_stream([&](auto& s) { return http::read_header(s, conn_->buf, *conn_->parser, ec); });
  if (ec) return base::make_error(base::Code::Unavailable, what_ + ": read response: " + ec.message());
  HttpResponse out;
  out.status = static_cast<int>(conn_->parser->get().result_int());
  for (const auto& f : conn_->parser->get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  conn_->body_pending = true;
  if (out.status < 200 || out.status >= 300) {
    // Error answers are small: buffer them for the message.
    std::string chunk(65536, '\0');
    for (;;) {
      auto n = read_body(chunk.data(), chunk.size());
      if (!n) return n.take_error();
      if (*n == 0) break;
      if (out.body.size() + *n > kMaxBuffered) return base::invalid(what_ + ": response body too large");
      out.body.append(chunk.data(), *n);
    }
  }
  return out;
}

Result<size_t> HttpClient::read_body(char* buf, size_t n) {
  if (!conn_ || !conn_->body_pending) return size_t{0};
  auto& p = *conn_->parser;
  while (!p.is_done()) {
    p.get().body().data = buf;
    p.get().body().size = n;
    beast::error_code ec;
    conn_->lowest().expires_after(kTimeout);
    conn_->with_stream([&](auto& s) { return http::read(s, conn_->buf, p, ec); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      conn_.reset();
      return base::make_error(base::Code::Unavailable, what_ + ": read body: " + ec.message());
    }
    size_t got = n - p.get().body().size;
    if (got > 0) return got;
  }
  conn_->body_pending = false;
  if (!p.keep_alive()) conn_.reset();
  return size_t{0};
}

Result<HttpResponse> HttpClient::start(const HttpRequest& req) {
  bool reused = conn_ && conn_->used;
  auto r = start_once(req);
  // A kept-alive connection the server closed meanwhile: retry once on a fresh one.
  if (!r && reused && r.error().code == base::Code::Unavailable &&
      r.error().message.find(": read body:") == std::string::npos) {
    conn_.reset();
    return start_once(req);
  }
  if (!r) conn_.reset();
  return r;
}

Result<HttpResponse> HttpClient::send(const HttpRequest& req, const BodySink& sink) {
  auto res = start(req);
  if (!res) return res;
  if (res->status < 200 || res->status >= 300) return res;
  std::string chunk(1 << 18, '\0');
  for (;;) {
    auto n = read_body(chunk.data(), chunk.size());
    if (!n) return n.take_error();
    if (*n == 0) break;
    if (sink) {
      Status st = sink(chunk.data(), *n);
      if (!st.ok()) {
        conn_.reset();  // the rest of the body is unread: the connection cannot be reused
        return st.take_error();
      }
    } else {
      if (res->body.size() + *n > kMaxBuffered) return base::invalid(what_ + ": response body too large");
      res->body.append(chunk.data(), *n);
    }
  }
  return res;
}

}  // namespace engine::image::registry
