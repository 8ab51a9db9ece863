#include "engine/image/registry/credentials.h"

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/image/registry/auth.h"

namespace engine::image::registry {

using base::Result;
using base::Status;
using nlohmann::json;

std::string credential_key(const std::string& registry) {
  std::string r = registry;
  if (base::starts_with(r, "https://")) r = r.substr(8);
  if (base::starts_with(r, "http://")) r = r.substr(7);
  while (!r.empty() && r.back() == '/') r.pop_back();
  if (r.empty() || r == "docker.io" || r == "index.docker.io" || r == "index.docker.io/v1" ||
      r == "registry-1.docker.io")
    return "https://index.docker.io/v1/";
  return r;
}

namespace {

Result<json> load(const std::string& path) {
  if (!base::path_exists(path)) return json::object();
  auto text = base::read_file(path);
  if (!text) return text.take_error();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::invalid("credentials " + path + ": not a JSON object");
  return j;
}

}  // namespace

Result<std::optional<AuthConfig>> CredentialStore::get(const std::string& registry) const {
  auto j = load(path_);
  if (!j) return j.take_error();
  const json& auths = (*j)["auths"];
  auto it = auths.find(credential_key(registry));
  if (it == auths.end()) return std::optional<AuthConfig>();
  AuthConfig a;
  if (auto dec = base64_decode(it->value("auth", ""))) {
    size_t colon = dec->find(':');
    if (colon == std::string::npos) return base::invalid("credentials " + path_ + ": malformed auth entry");
    a.username = dec->substr(0, colon);
    a.password = dec->substr(colon + 1);
  }
  a.identity_token = it->value("identitytoken", "");
  return std::optional<AuthConfig>(a);
}

Status CredentialStore::set(const std::string& registry, const AuthConfig& auth) {
  auto j = load(path_);
  if (!j) return j.take_error();
  json entry = {{"auth", base64_encode(auth.username + ":" + auth.password)}};
  if (!auth.identity_token.empty()) entry["identitytoken"] = auth.identity_token;
  (*j)["auths"][credential_key(registry)] = entry;
  auto slash = path_.rfind('/');
  if (slash != std::string::npos) BERTH_TRY(base::make_dirs(path_.substr(0, slash), 0700));
  return base::write_file_atomic(path_, j->dump(1), 0600);
}

Status CredentialStore::erase(const std::string& registry) {
  auto j = load(path_);
  if (!j) return j.take_error();
  std::string key = credential_key(registry);
  if (!j->contains("auths") || !(*j)["auths"].contains(key))
    return base::not_found("not logged in to " + registry);
  (*j)["auths"].erase(key);
  return base::write_file_atomic(path_, j->dump(1), 0600);
}

Result<std::vector<std::string>> CredentialStore::list() const {
  auto j = load(path_);
  if (!j) return j.take_error();
  std::vector<std::string> out;
  if (j->contains("auths"))
    for (auto it = (*j)["auths"].begin(); it != (*j)["auths"].end(); ++it) out.push_back(it.key());
  return out;  // nlohmann objects are key-sorted
}

}  // namespace engine::image::registry
