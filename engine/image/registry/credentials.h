#pragma once
/// Stored registry credentials (docker login / logout) in a 0600 JSON file shaped like
/// Docker's config.json: {"auths": {"<registry>": {"auth": "<base64 user:password>"}}}.
/// Registry keys are normalized: docker.io and index.docker.io become
/// "https://index.docker.io/v1/", as Docker stores them.
#include <optional>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/image/types.h"

namespace engine::image::registry {

/// The key a registry's credentials are stored under.
std::string credential_key(const std::string& registry);

class CredentialStore {
 public:
  explicit CredentialStore(std::string path) : path_(std::move(path)) {}
  /// Credentials for a registry, if stored.
  base::Result<std::optional<AuthConfig>> get(const std::string& registry) const;
  /// Stores (replaces) credentials; the file is written atomically with mode 0600.
  base::Status set(const std::string& registry, const AuthConfig& auth);
  /// Removes credentials; NotFound if there were none.
  base::Status erase(const std::string& registry);
  /// Registries with stored credentials, sorted.
  base::Result<std::vector<std::string>> list() const;

 private:
  std::string path_;
};

}  // namespace engine::image::registry
