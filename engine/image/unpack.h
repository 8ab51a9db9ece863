#pragma once
/// Layer unpacking with libarchive: reads a tar stream (plain, gzip, zstd, xz or bzip2),
/// computes its digests on the way and writes it into a directory as an overlayfs lower
/// layer. OCI whiteouts become overlay whiteouts: ".wh.NAME" a 0/0 character device,
/// ".wh..wh..opq" the trusted.overlay.opaque=y xattr on the directory.
///
/// Hostile archives are refused, never partly honoured outside the target: absolute
/// paths, "..", writes through symlinks leaving the layer, hard links to outside, device
/// nodes and over-long names all fail the whole unpack with an error naming the entry.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/base/error.h"
#include "engine/image/digest.h"

namespace engine::image {

/// Options for unpack_layer.
struct UnpackOptions {
  bool convert_whiteouts = true;  ///< OCI whiteouts -> overlayfs whiteouts
  bool chown = true;              ///< apply uid/gid from the archive (only effective as root)
  /// Hash the bytes read from the fd (compressed_digest); off when the caller verifies them.
  bool hash_compressed = true;
  /// Decompress on a thread of its own, so inflating overlaps hashing and writing the files
  /// (a layer's critical path is then the slower of the two, not their sum).
  bool inflate_thread = false;
  /// Called with the number of compressed bytes consumed so far (for progress); from the
  /// inflate thread when inflate_thread is set.
  std::function<void(uint64_t)> on_progress;
};

/// What unpacking produced.
struct UnpackResult {
  Digest diff_id;              ///< sha256 of the uncompressed tar stream
  uint64_t size = 0;           ///< uncompressed tar bytes
  Digest compressed_digest;    ///< sha256 of the bytes read from the fd
  uint64_t compressed_size = 0;
  std::string compression;     ///< "none", "gzip", "zstd", "xz", "bzip2"
};

/// A source of bytes: fills buf with up to n bytes, returns the count, 0 at the end, or
/// an error (which aborts the unpack with its message).
using ReadFn = std::function<base::Result<size_t>(char* buf, size_t n)>;
/// A ReadFn over a file descriptor.
ReadFn fd_reader(int fd);
/// A source of bytes handed over without a copy: the next chunk (valid until the next
/// call), an empty view at the end, or an error (which aborts the unpack).
using ChunkFn = std::function<base::Result<std::string_view>()>;
/// A ChunkFn reading from a ReadFn into a buffer of its own.
ChunkFn chunks_of(ReadFn read);

/// Unpacks the tar read from fd into the existing empty directory dest.
base::Result<UnpackResult> unpack_layer(int fd, const std::string& dest, const UnpackOptions& opts = {});
/// Same, pulling the bytes from a reader.
base::Result<UnpackResult> unpack_layer(const ReadFn& read, const std::string& dest, const UnpackOptions& opts = {});
/// Same, taking chunks as they come (e.g. a registry download, no extra copy).
base::Result<UnpackResult> unpack_layer(const ChunkFn& next, const std::string& dest, const UnpackOptions& opts = {});

/// Only reads the stream and computes the digests (no extraction).
base::Result<UnpackResult> digest_layer(int fd);

}  // namespace engine::image
