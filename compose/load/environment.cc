#include "compose/load/environment.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>
#include <iterator>

#include "engine/base/fs.h"

namespace compose::load {

Environment Environment::from_map(std::map<std::string, std::string> vars) {
  return Environment([vars = std::move(vars)](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

Environment Environment::process() {
  return Environment([](const std::string& k) -> std::optional<std::string> {
    const char* v = std::getenv(k.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

engine::base::Result<std::string> DiskFileSystem::read(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  return engine::base::read_file(path);
}

bool DiskFileSystem::is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool DiskFileSystem::is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

engine::base::Result<std::string> MemoryFileSystem::read(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return engine::base::not_found("open " + path + ": no such file or directory");
  return it->second;
}

bool MemoryFileSystem::is_dir(const std::string& path) {
  std::string prefix = path == "/" ? "/" : path + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace compose::load
