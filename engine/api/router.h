#pragma once
/// Routing of Docker Engine API requests: method + path pattern ("/containers/{id}/json")
/// to a handler. A leading version ("/v1.41") is stripped and checked against the
/// range berthd serves; routes only translate between HTTP and the daemon's services.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api/exchange.h"

namespace engine::api {

/// Highest and lowest API versions berthd serves (Docker Engine API numbering).
inline constexpr std::string_view kApiVersion = "1.41";
inline constexpr std::string_view kMinApiVersion = "1.24";

using Handler = std::function<void(Exchange&)>;

struct Route {
  std::string method;      ///< "GET", "POST", ...
  std::string pattern;     ///< "/containers/{id}/json"; "{name*}" matches the rest (with slashes)
  Handler handler;
  bool streaming = false;  ///< runs on its own thread (long-lived responses)
  size_t max_body = 16u << 20;  ///< request body limit in bytes
};

class Router {
 public:
  void add(Route r);
  void get(std::string pattern, Handler h) { add({"GET", std::move(pattern), std::move(h)}); }
  void post(std::string pattern, Handler h) { add({"POST", std::move(pattern), std::move(h)}); }
  void del(std::string pattern, Handler h) { add({"DELETE", std::move(pattern), std::move(h)}); }
  void head(std::string pattern, Handler h) { add({"HEAD", std::move(pattern), std::move(h)}); }

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::string api_version;   ///< from the path, or kApiVersion
    int status = 0;            ///< 0 on match, else 404/405/400 with message
    std::string message;
  };
  /// Finds the route for method and path (query already removed).
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

/// Compares dotted API versions ("1.24" < "1.41"): -1, 0, 1.
int compare_api_versions(std::string_view a, std::string_view b);

}  // namespace engine::api
