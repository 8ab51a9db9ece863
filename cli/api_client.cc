#include "cli/api_client.h"

#include <cstdint>
#include <limits>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "engine/api/tcp_address.h"
#include "engine/api/tls.h"
#include "engine/base/strings.h"

namespace cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using local = asio::local::stream_protocol;
using engine::base::Code;
using engine::base::Error;
using engine::base::Result;

std::string HttpResponse::error_message() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  std::string b(engine::base::trim(body));
  return b.empty() ? "HTTP " + std::to_string(status) : b;
}

nlohmann::json HttpResponse::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

ApiClient::ApiClient(std::string host, engine::api::TlsOptions tls) : host_(std::move(host)), tls_(std::move(tls)) {}

std::string ApiClient::socket_path() const {
  return engine::base::starts_with(host_, "unix://") ? host_.substr(7) : std::string{};
}

std::string url_encode(std::string_view s) {
  return engine::base::url_encode(s);
}

namespace {

using engine::api::TlsSocket;
using engine::api::TlsStream;
using generic = asio::generic::stream_protocol;

/// An I/O failure: errno for system errors, the library's text otherwise (TLS alerts, HTTP parse).
Error io_error(Code code, const beast::error_code& ec, const std::string& what) {
  if (ec.category() == asio::error::get_system_category()) return Error{code, ec.value(), what};
  return Error{code, 0, what + ": " + ec.message()};
}

/// One connection to the daemon: a unix or TCP socket, with TLS on top when asked.
struct Conn {
  std::shared_ptr<asio::io_context> ioc = std::make_shared<asio::io_context>();
  std::shared_ptr<asio::ssl::context> ctx;
  std::unique_ptr<TlsSocket> plain;
  std::shared_ptr<TlsStream> tls;
  /// Runs f on the stream requests go over.
  template <class F>
  auto with(F&& f) {
    return tls ? f(*tls) : f(*plain);
  }
};

Result<Conn> connect(const std::string& host, const engine::api::TlsOptions& opts) {
  Conn c;
  c.plain = std::make_unique<TlsSocket>(*c.ioc);
  beast::error_code ec;
  auto unavailable = [&](const std::string& what) {
    return io_error(Code::Unavailable, ec, "cannot connect to berthd at " + host + (what.empty() ? "" : ": " + what));
  };
  if (engine::base::starts_with(host, "unix://")) {
    c.plain->connect(generic::endpoint(local::endpoint(host.substr(7))), ec);
    if (ec) return unavailable("");
    return c;
  }
  bool use_tls = opts.enabled || opts.verify;
  auto addr = engine::api::parse_tcp_address(host, use_tls ? "2376" : "2375");
  if (!addr) return engine::base::invalid("unsupported host " + host + ": use unix:///path or tcp://host:port");
  asio::ip::tcp::resolver resolver(*c.ioc);
  auto found = resolver.resolve(addr->host.empty() ? "127.0.0.1" : addr->host, addr->port, ec);
  if (ec) return unavailable("resolve " + addr->host);
  for (const auto& entry : found) {
    c.plain->close(ec);
    c.plain->connect(generic::endpoint(entry.endpoint()), ec);
    if (!ec) break;
  }
  if (ec) return unavailable("");
  int one = 1;
  ::setsockopt(c.plain->native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!use_tls) return c;
  auto ctx = engine::api::make_client_tls_context(opts);
  if (!ctx) return ctx.take_error();
  c.ctx = std::move(*ctx);
  c.tls = std::make_shared<TlsStream>(std::move(*c.plain), *c.ctx);
  c.plain.reset();
  boost::system::error_code aec;
  asio::ip::make_address(addr->host, aec);
  if (aec) SSL_set_tlsext_host_name(c.tls->native_handle(), addr->host.c_str());  // SNI for names only
  if (opts.verify) c.tls->set_verify_callback(asio::ssl::host_name_verification(addr->host));
  c.tls->handshake(asio::ssl::stream_base::client, ec);
  if (ec) return unavailable("tls handshake");
  return c;
}

http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const std::string& body, const std::string& content_type) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "berth");
  req.set(http::field::user_agent, "berth-cli");
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
  }
  return req;
}

void copy_headers(const http::response_header<>& h, HttpResponse& out) {
  out.status = static_cast<int>(h.result_int());
  for (const auto& f : h) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
}

}  // namespace

Result<HttpResponse> ApiClient::request(const std::string& method, const std::string& path, const std::string& body,
                                        const std::string& content_type) const {
  auto conn = connect(host_, tls_);
  if (!conn) return conn.take_error();
  beast::error_code ec;
  conn->with([&](auto& s) { http::write(s, make_request(method, path, body, content_type), ec); });
  if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": send request");
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none misbehaves in 1.74
  if (method == "HEAD") parser.skip(true);
  conn->with([&](auto& s) { http::read(s, buf, parser, ec); });
  if (ec == asio::ssl::error::stream_truncated && parser.is_done()) ec = {};
  if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": read response");
  HttpResponse out;
  copy_headers(parser.get().base(), out);
  out.body = std::move(parser.get().body());
  return out;
}

Result<HttpResponse> ApiClient::stream(const std::string& method, const std::string& path, const std::string& body,
                                       const std::function<bool(std::string_view)>& on_data,
                                       const std::vector<std::pair<std::string, std::string>>& headers,
                                       const std::string& content_type) const {
  auto conn = connect(host_, tls_);
  if (!conn) return conn.take_error();
  beast::error_code ec;
  auto req = make_request(method, path, body, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  conn->with([&](auto& s) { http::write(s, req, ec); });
  if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": send request");
  beast::flat_buffer buf;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none misbehaves in 1.74
  conn->with([&](auto& s) { http::read_header(s, buf, parser, ec); });
  if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": read response");
  HttpResponse out;
  copy_headers(parser.get().base(), out);
  char chunk[16384];
  bool want_more = true;
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    // read_some returns as soon as some body arrived (read would wait to fill the buffer).
    conn->with([&](auto& s) { http::read_some(s, buf, parser, ec); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) break;
      return io_error(Code::Unavailable, ec, method + " " + path + ": read response body");
    }
    size_t n = sizeof chunk - parser.get().body().size;
    if (n == 0) continue;
    std::string_view data(chunk, n);
    if (!out.ok()) {
      out.body.append(data);
    } else if (want_more && !on_data(data)) {
      want_more = false;
      break;
    }
  }
  return out;
}

Result<ApiClient::Hijacked> ApiClient::hijack(const std::string& method, const std::string& path,
                                              const std::string& body) const {
  auto conn = connect(host_, tls_);
  if (!conn) return conn.take_error();
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-cli\r\n"
                    "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  beast::error_code ec;
  conn->with([&](auto& s) { asio::write(s, asio::buffer(req), ec); });
  if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": send request");
  // Read the head byte-wise-ish: whatever follows it belongs to the stream.
  std::string data;
  size_t end = std::string::npos;
  char buf[4096];
  while ((end = data.find("\r\n\r\n")) == std::string::npos) {
    size_t n = conn->with([&](auto& s) { return s.read_some(asio::buffer(buf), ec); });
    if (ec) return io_error(Code::Unavailable, ec, method + " " + path + ": read response");
    data.append(buf, n);
    if (data.size() > 65536) return engine::base::internal(method + " " + path + ": response head too large");
  }
  Hijacked h;
  std::string head = data.substr(0, end);
  h.early = data.substr(end + 4);
  auto lines = engine::base::split(head, '\n');
  if (lines.empty() || lines[0].size() < 12) return engine::base::internal("malformed response head");
  h.head.status = std::atoi(lines[0].c_str() + 9);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string l(engine::base::trim(lines[i]));
    size_t colon = l.find(':');
    if (colon == std::string::npos) continue;
    std::string name = l.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    h.head.headers[name] = std::string(engine::base::trim(l.substr(colon + 1)));
  }
  if (h.head.status != 101 && h.head.status != 200) {
    // An error answer: read its (length-delimited) body for the message.
    size_t want = std::strtoul(h.head.headers["content-length"].c_str(), nullptr, 10);
    std::string rest = h.early;
    while (rest.size() < want) {
      size_t n = conn->with([&](auto& s) { return s.read_some(asio::buffer(buf), ec); });
      if (ec) break;
      rest.append(buf, n);
    }
    h.head.body = rest;
    h.early.clear();
    return h;
  }
  if (!conn->tls) {
    h.fd = conn->plain->release();
    return h;
  }
  // TLS: hand the caller a plain fd; a thread relays it to the TLS connection until both end.
  auto pair = engine::api::make_socket_pair();
  if (!pair) return pair.take_error();
  TlsSocket outer(conn->tls->get_executor());
  outer.assign(generic(AF_UNIX, SOCK_STREAM), pair->second.release(), ec);
  if (ec) return io_error(Code::Internal, ec, "relay tls stream");
  engine::api::start_tls_pump(conn->tls, std::move(outer), /*fin_half_close=*/true);
  std::thread([ioc = conn->ioc, ctx = conn->ctx] { ioc->run(); }).detach();
  conn->tls.reset();
  h.fd = pair->first.release();
  return h;
}

engine::base::Status ApiClient::ping() const {
  auto r = request("GET", "/_ping");
  if (!r) return r.take_error();
  if (r->status != 200 || r->body != "OK")
    return Error{Code::Unavailable, 0, "berthd at " + host_ + " answered /_ping with HTTP " + std::to_string(r->status)};
  return {};
}

}  // namespace cli
