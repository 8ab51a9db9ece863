#include "engine/image/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace engine::image {

using base::Result;

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<Digest> parse_digest(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!base::starts_with(s, kPrefix)) {
    if (s.find(':') == std::string_view::npos) return base::invalid("invalid digest \"" + std::string(s) + "\"");
    return base::invalid("unsupported digest algorithm in \"" + std::string(s) + "\"");
  }
  std::string_view hex = s.substr(kPrefix.size());
  if (!is_hex64(hex)) return base::invalid("invalid digest \"" + std::string(s) + "\"");
  return Digest{std::string(hex)};
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256::~Sha256() {
  if (ctx_) EVP_MD_CTX_free(ctx_->md);
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&& o) noexcept {
  if (this != &o) {
    if (ctx_) EVP_MD_CTX_free(ctx_->md);
    ctx_ = std::move(o.ctx_);
  }
  return *this;
}

void Sha256::update(const void* data, size_t n) {
  if (n) EVP_DigestUpdate(ctx_->md, data, n);
}

Digest Sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
  return Digest{base::to_hex(std::string_view(reinterpret_cast<char*>(out), len))};
}

Digest sha256_of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<Digest> sha256_file(const std::string& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::sys_error("open " + path);
  Sha256 h;
  std::string buf(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::sys_error("read " + path);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return h.finish();
}

}  // namespace engine::image
