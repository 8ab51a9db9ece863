#include "engine/api/exchange.h"

#include <cstdlib>

namespace engine::api {

using engine::base::Code;
using engine::base::Error;
using engine::base::Result;

std::optional<std::string> Request::q(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

bool Request::q_bool(const std::string& key, bool fallback) const {
  auto v = q(key);
  if (!v) return fallback;
  // Docker: a present parameter is true unless it is "", "0", "no", "false", "none".
  return !(*v == "" || *v == "0" || *v == "false" || *v == "False" || *v == "no" || *v == "none");
}

Result<long long> Request::q_int(const std::string& key, long long fallback) const {
  auto v = q(key);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (errno != 0 || end == v->c_str() || *end != 0)
    return engine::base::invalid("invalid value for " + key + ": \"" + *v + "\" is not an integer");
  return n;
}

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

Result<nlohmann::json> Request::json() const {
  if (body.empty()) return nlohmann::json();
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return engine::base::invalid("invalid JSON in request body");
  return j;
}

int http_status(Code code) {
  switch (code) {
    case Code::NotFound: return 404;
    case Code::AlreadyExists: return 409;
    case Code::InvalidArgument: return 400;
    case Code::FailedPrecondition: return 409;
    case Code::Unavailable: return 503;
    case Code::Internal: return 500;
  }
  return 500;
}

Response json_response(const nlohmann::json& j, int status) {
  return Response{status, "application/json", {}, j.dump() + "\n"};
}

Response error_response(const Error& e) {
  return json_response(nlohmann::json{{"message", e.str()}}, http_status(e.code));
}

}  // namespace engine::api
