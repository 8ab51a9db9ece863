#pragma once
/// From a parsed HTTP message to a Request: the one place the server (and the API fuzz
/// target) turns a target into path, API version and query, and copies the headers.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "engine/api/router.h"

namespace engine::api {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

inline constexpr size_t kHeaderLimit = 64 * 1024;   ///< bytes of request line + headers
inline constexpr size_t kDefaultBodyLimit = 16u << 20;  ///< until the route is known

/// Applies the server's limits to a fresh parser (the route's own body limit comes later).
void configure_parser(HttpRequestParser& p);
/// Path of a target without its query ("/v1.41/x?a=b" -> "/v1.41/x").
std::string target_path(std::string_view target);
/// Percent- and '+'-decoding of a query component.
std::string url_decode(std::string_view s);
/// The Request for a matched route: path without version prefix, decoded query, lower-cased headers, body.
Request make_request(HttpRequest&& msg, const Router::Match& match);

}  // namespace engine::api
