#pragma once
/// Environment and FileSystem: the two things the loader reads from the outside world,
/// injected so every stage stays pure and tests can run on in-memory files.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "engine/base/error.h"

namespace compose::load {

/// Variable lookup for interpolation and `environment: [NAME]` entries.
class Environment {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;
  explicit Environment(Lookup lookup) : lookup_(std::move(lookup)) {}
  /// An environment backed by a fixed map.
  static Environment from_map(std::map<std::string, std::string> vars);
  /// The process environment (getenv).
  static Environment process();
  /// Value of name, or nullopt when unset.
  std::optional<std::string> get(const std::string& name) const { return lookup_ ? lookup_(name) : std::nullopt; }

 private:
  Lookup lookup_;
};

/// Read-only file access for the loader.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  /// Whole file; "-" means standard input.
  virtual engine::base::Result<std::string> read(const std::string& path) = 0;
  virtual bool is_file(const std::string& path) = 0;
  virtual bool is_dir(const std::string& path) = 0;
};

/// The real disk.
class DiskFileSystem : public FileSystem {
 public:
  engine::base::Result<std::string> read(const std::string& path) override;
  bool is_file(const std::string& path) override;
  bool is_dir(const std::string& path) override;
};

/// In-memory files for tests; directories are implied by file paths.
class MemoryFileSystem : public FileSystem {
 public:
  /// Adds or replaces a file (absolute path, or "-" for stdin).
  void add(const std::string& path, std::string content) { files_[path] = std::move(content); }
  engine::base::Result<std::string> read(const std::string& path) override;
  bool is_file(const std::string& path) override { return files_.count(path) > 0; }
  bool is_dir(const std::string& path) override;

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace compose::load
