// libFuzzer target for berthd's request path: the input is the raw bytes a client sends.
// They go through the server's Beast parser settings (header limit, then the route's body
// limit), the router (version prefix, path parameters), the Request builder (target, query
// decoding, headers) and then the decoders handlers use: filters, integer and boolean
// parameters, and the container, network and volume create bodies. Nothing may crash, hang
// or leak. A nlohmann type_error is allowed: the server answers it with 400 (server.cc).
// Build and run with scripts/fuzz-api.
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/api/body_decode.h"
#include "engine/api/filters.h"
#include "engine/api/request_parse.h"
#include "engine/api/router.h"
#include "engine/container/create_config.h"

namespace {

namespace api = engine::api;

/// The real route shapes: fixed paths, {id} parameters and a {name*} rest parameter.
const api::Router& router() {
  static const api::Router r = [] {
    api::Router out;
    auto nop = [](api::Exchange&) {};
    for (const char* p : {"/_ping", "/version", "/info", "/events", "/containers/json", "/containers/create",
                          "/containers/{id}/json", "/containers/{id}/logs", "/containers/{id}/attach",
                          "/containers/{id}/exec", "/exec/{id}/start", "/images/json", "/images/create",
                          "/images/{name*}/json", "/images/{name*}/tag", "/images/{name*}", "/networks",
                          "/networks/create", "/networks/{id}", "/networks/{id}/connect", "/volumes",
                          "/volumes/create", "/volumes/{name}", "/build", "/system/df"}) {
      out.get(p, nop);
      out.post(p, nop);
    }
    out.del("/containers/{id}", nop);
    out.add({"POST", "/images/load", nop, false, 1u << 10});
    return out;
  }();
  return r;
}

const engine::image::Image& image() {
  static const engine::image::Image img = [] {
    engine::image::Image i;
    i.config.config.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
    i.config.config.cmd = std::vector<std::string>{"sh"};
    i.config.config.exposed_ports = {"80/tcp", "53/udp"};
    i.config.config.volumes = {"/data"};
    i.config.config.working_dir = "/srv";
    i.config.config.stop_signal = "SIGQUIT";
    return i;
  }();
  return img;
}

void decode(const api::Request& req) {
  std::string filters = req.q("filters").value_or("");
  (void)api::Filters::parse(filters);
  if (auto f = api::Filters::parse(filters, {"label", "name", "status", "id"}); f) {
    (void)f->match_labels({{"a", "b"}, {"com.example", ""}});
    (void)f->match_substring("name", "web-1");
    (void)f->match_exact("status", "running");
  }
  (void)req.q_int("tail", -1);
  (void)req.q_bool("all");
  auto body = req.json();
  if (!body) return;
  try {
    auto ensure = [](const std::string& name, bool) -> engine::base::Result<std::pair<std::string, std::string>> {
      return std::pair<std::string, std::string>{name.empty() ? "anon" : name, "/var/lib/berth/volumes/x/_data"};
    };
    (void)engine::container::build_container(*body, image(), ensure);
    (void)api::network_create_spec(*body);
    (void)api::volume_create_args(*body);
  } catch (const nlohmann::json::type_error&) {
    // The server's per-request handler turns this into 400 "invalid request body".
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  api::HttpRequestParser parser;
  api::configure_parser(parser);
  boost::beast::error_code ec;
  size_t used = 0;
  api::Router::Match match;
  bool matched = false;
  // Header first (as the server reads it), then the body under the route's limit.
  while (!parser.is_done() && used < size) {
    size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec) return 0;  // need_more (the server would wait) or a 400/413 answer
    if (n == 0 && parser.is_header_done() == matched) return 0;
    if (parser.is_header_done() && !matched) {
      matched = true;
      const auto& h = parser.get();
      match = router().match(std::string(h.method_string()),
                             api::target_path(std::string_view(h.target().data(), h.target().size())));
      if (!match.route) return 0;
      parser.body_limit(match.route->max_body);
      parser.eager(true);
    }
  }
  if (!parser.is_done()) return 0;
  api::Request req = api::make_request(parser.release(), match);
  decode(req);
  return 0;
}
