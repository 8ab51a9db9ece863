#include "cli/api_client.h"

#include <cstdint>
#include <limits>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

ApiClient::ApiClient(std::string host) : host_(std::move(host)) {}

std::string ApiClient::socket_path() const {
  return engine::base::starts_with(host_, "unix://") ? host_.substr(7) : std::string{};
}

std::string url_encode(std::string_view s) {
  return engine::base::url_encode(s);
}

namespace {

Result<std::unique_ptr<local::socket>> connect(asio::io_context& ioc, const std::string& host, const std::string& path) {
  if (path.empty()) return engine::base::invalid("unsupported host " + host + ": use unix:///path");
  auto sock = std::make_unique<local::socket>(ioc);
  beast::error_code ec;
  sock->connect(local::endpoint(path), ec);
  if (ec) return Error{Code::Unavailable, ec.value(), "cannot connect to berthd at " + host};
  return sock;
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
  asio::io_context ioc;
  auto sock = connect(ioc, host_, socket_path());
  if (!sock) return sock.take_error();
  beast::error_code ec;
  http::write(**sock, make_request(method, path, body, content_type), ec);
  if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": send request"};
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none misbehaves in 1.74
  if (method == "HEAD") parser.skip(true);
  http::read(**sock, buf, parser, ec);
  if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": read response"};
  HttpResponse out;
  copy_headers(parser.get().base(), out);
  out.body = std::move(parser.get().body());
  return out;
}

Result<HttpResponse> ApiClient::stream(const std::string& method, const std::string& path, const std::string& body,
                                       const std::function<bool(std::string_view)>& on_data) const {
  asio::io_context ioc;
  auto sock = connect(ioc, host_, socket_path());
  if (!sock) return sock.take_error();
  beast::error_code ec;
  http::write(**sock, make_request(method, path, body, "application/json"), ec);
  if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": send request"};
  beast::flat_buffer buf;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none misbehaves in 1.74
  http::read_header(**sock, buf, parser, ec);
  if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": read response"};
  HttpResponse out;
  copy_headers(parser.get().base(), out);
  char chunk[16384];
  bool want_more = true;
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    // read_some returns as soon as some body arrived (read would wait to fill the buffer).
    http::read_some(**sock, buf, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
      return Error{Code::Unavailable, ec.value(), method + " " + path + ": read response body"};
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
  asio::io_context ioc;
  auto sock = connect(ioc, host_, socket_path());
  if (!sock) return sock.take_error();
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-cli\r\n"
                    "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  beast::error_code ec;
  asio::write(**sock, asio::buffer(req), ec);
  if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": send request"};
  // Read the head byte-wise-ish: whatever follows it belongs to the stream.
  std::string data;
  size_t end = std::string::npos;
  char buf[4096];
  while ((end = data.find("\r\n\r\n")) == std::string::npos) {
    size_t n = (*sock)->read_some(asio::buffer(buf), ec);
    if (ec) return Error{Code::Unavailable, ec.value(), method + " " + path + ": read response"};
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
      size_t n = (*sock)->read_some(asio::buffer(buf), ec);
      if (ec) break;
      rest.append(buf, n);
    }
    h.head.body = rest;
    h.early.clear();
    return h;
  }
  h.fd = (*sock)->release();
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
