#pragma once
/// Registry authentication: WWW-Authenticate challenges (Bearer and Basic), token
/// requests to the challenge's realm, and base64 helpers for Basic credentials.
#include <map>
#include <optional>
#include <string>

#include "engine/base/error.h"
#include "engine/image/types.h"

namespace engine::image::registry {

/// A parsed WWW-Authenticate header.
struct Challenge {
  std::string scheme;                         ///< "bearer" or "basic" (lowercase)
  std::map<std::string, std::string> params;  ///< realm, service, scope, ...
};

/// Parses `Bearer realm="https://auth",service="reg",scope="repository:a:pull"`.
base::Result<Challenge> parse_challenge(const std::string& header);
std::string base64_encode(const std::string& in);
base::Result<std::string> base64_decode(const std::string& in);
/// "Basic <base64(user:password)>".
std::string basic_auth_header(const AuthConfig& auth);
/// Percent-encodes a query value.
std::string url_encode(const std::string& s);

}  // namespace engine::image::registry
