#include "engine/image/registry/auth.h"

#include <openssl/evp.h>

#include <cctype>

#include "engine/base/strings.h"

namespace engine::image::registry {

using base::Result;

Result<Challenge> parse_challenge(const std::string& h) {
  Challenge c;
  size_t i = 0;
  while (i < h.size() && h[i] != ' ') c.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(h[i++])));
  if (c.scheme.empty()) return base::invalid("empty WWW-Authenticate challenge");
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
    size_t eq = h.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = h.substr(i, eq - i);
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    i = eq + 1;
    std::string value;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        value += h[i++];
      }
      ++i;
    } else {
      while (i < h.size() && h[i] != ',') value += h[i++];
    }
    c.params[key] = value;
  }
  return c;
}

std::string base64_encode(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> base64_decode(const std::string& in) {
  if (in.size() % 4 != 0) return base::invalid("invalid base64");
  std::string out(3 * in.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return base::invalid("invalid base64");
  size_t len = static_cast<size_t>(n);
  if (!in.empty() && in.back() == '=') --len;
  if (in.size() > 1 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string basic_auth_header(const AuthConfig& a) { return "Basic " + base64_encode(a.username + ":" + a.password); }

std::string url_encode(const std::string& s) {
  return engine::base::url_encode(s);
}

}  // namespace engine::image::registry
