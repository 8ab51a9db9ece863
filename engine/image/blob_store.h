#pragma once
/// Content-addressed blob store: <root>/blobs/sha256/<hex>. Blobs are written to a
/// temporary file under <root>/blobs/tmp, verified against their digest, then renamed
/// into place, so a blob that is visible is always complete and correct.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"
#include "engine/image/digest.h"

namespace engine::image {

class BlobStore;

/// Streams one blob into the store; dropped without commit() it leaves nothing behind.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter();
  /// Appends bytes (hashing them as they go).
  base::Status write(const void* data, size_t n);
  base::Status write(std::string_view s) { return write(s.data(), s.size()); }
  /// Bytes written so far.
  uint64_t size() const { return size_; }
  /// Verifies against expected (if given), fsyncs and renames into place; returns the digest.
  base::Result<Digest> commit(const std::optional<Digest>& expected = std::nullopt);
  /// First half of commit() without the fsync: verifies against expected (if given); the
  /// blob stays invisible until publish() (to batch several blobs behind one syncfs).
  base::Result<Digest> finish(const std::optional<Digest>& expected = std::nullopt);
  /// Second half: renames a finished blob into place. The caller has made it durable
  /// first (syncfs); the rename is durable once the store's sync_dir() has run.
  base::Status publish();

 private:
  friend class BlobStore;
  BlobWriter(const BlobStore* store, std::string tmp, base::UniqueFd fd);
  const BlobStore* store_;
  std::string tmp_;
  base::UniqueFd fd_;
  Sha256 hash_;
  uint64_t size_ = 0;
  uint64_t flushed_ = 0;  ///< bytes already handed to writeback (sync_file_range)
  std::optional<Digest> digest_;  ///< set by finish()
  bool done_ = false;
};

/// The blob store; safe to use from several threads (operations are file-atomic).
class BlobStore {
 public:
  /// Creates the directories under root if needed.
  static base::Result<BlobStore> open(const std::string& root);
  /// Path of a blob (whether or not it exists).
  std::string path(const Digest& d) const { return dir_ + "/sha256/" + d.hex; }
  bool has(const Digest& d) const;
  /// Size of a stored blob.
  base::Result<uint64_t> size(const Digest& d) const;
  /// Opens a stored blob read-only.
  base::Result<base::UniqueFd> open_blob(const Digest& d) const;
  /// Reads a whole (small) blob such as a manifest or config.
  base::Result<std::string> read(const Digest& d) const;
  /// Stores bytes; returns their digest.
  base::Result<Digest> put(std::string_view data) const;
  /// Starts a streaming write.
  base::Result<BlobWriter> writer() const;
  /// Copies a file's bytes into the store.
  base::Result<Digest> put_file(const std::string& path) const;
  /// Copies everything readable from fd into the store.
  base::Result<Digest> put_fd(int fd, uint64_t* size = nullptr) const;
  /// Deletes a blob; missing is success.
  base::Status remove(const Digest& d) const;
  /// Every stored digest, sorted.
  std::vector<Digest> list() const;
  /// fsync of the blob directory: published renames are durable.
  base::Status sync_dir() const;
  /// Directory for temporary files on the same filesystem (for atomic renames).
  std::string tmp_dir() const { return dir_ + "/tmp"; }

 private:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace engine::image
