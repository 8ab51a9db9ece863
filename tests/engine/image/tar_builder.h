#pragma once
/// Test helper: crafts tar archives (optionally gzip/zstd) in memory with libarchive's
/// writer, including hostile entries that a well-behaved tool would never write.
#include <string>

namespace test {

class TarBuilder {
 public:
  /// compression: "none", "gzip" or "zstd".
  explicit TarBuilder(std::string compression = "none");
  ~TarBuilder();
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;
  TarBuilder& file(const std::string& path, const std::string& data, unsigned mode = 0644);
  TarBuilder& dir(const std::string& path, unsigned mode = 0755);
  TarBuilder& symlink(const std::string& path, const std::string& target);
  TarBuilder& hardlink(const std::string& path, const std::string& target);
  TarBuilder& device(const std::string& path, bool block, unsigned major, unsigned minor);
  TarBuilder& fifo(const std::string& path);
  /// Finishes the archive and returns its bytes.
  std::string finish();
  /// Finishes and writes to a file.
  void write_to(const std::string& path);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace test
