#pragma once
/// Content digests ("sha256:<64 hex>") and a streaming SHA-256 hasher (OpenSSL EVP).
#include <memory>
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace engine::image {

/// A validated content digest; only sha256 is supported.
struct Digest {
  std::string hex;  ///< 64 lowercase hex characters

  /// "sha256:<hex>".
  std::string str() const { return "sha256:" + hex; }
  /// First 12 hex characters (Docker's short ID).
  std::string short_hex() const { return hex.substr(0, 12); }
  bool empty() const { return hex.empty(); }
  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;
};

/// Parses "sha256:<64 lowercase hex>".
base::Result<Digest> parse_digest(std::string_view s);
/// True if s is 64 lowercase hex characters.
bool is_hex64(std::string_view s);

/// Streaming SHA-256: update() any number of times, then finish() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  /// The digest of everything fed so far; the hasher is then spent.
  Digest finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

/// Digest of a byte string.
Digest sha256_of(std::string_view data);
/// Digest of a file's contents.
base::Result<Digest> sha256_file(const std::string& path);

}  // namespace engine::image
