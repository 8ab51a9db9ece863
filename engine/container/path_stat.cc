#include "engine/container/path_stat.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine/base/time.h"
#include "engine/image/registry/auth.h"

namespace engine::container {

using nlohmann::json;

uint32_t go_file_mode(mode_t m) {
  uint32_t out = m & 0777;
  switch (m & S_IFMT) {
    case S_IFDIR: out |= kGoModeDir; break;
    case S_IFLNK: out |= kGoModeSymlink; break;
    case S_IFBLK: out |= 1u << 26; break;                  // ModeDevice
    case S_IFCHR: out |= (1u << 26) | (1u << 21); break;   // ModeDevice | ModeCharDevice
    case S_IFIFO: out |= 1u << 25; break;                  // ModeNamedPipe
    case S_IFSOCK: out |= 1u << 24; break;                 // ModeSocket
    default: break;
  }
  if (m & S_ISUID) out |= 1u << 23;
  if (m & S_ISGID) out |= 1u << 22;
  if (m & S_ISVTX) out |= 1u << 20;
  return out;
}

std::string path_stat_header(const PathStat& s) {
  json j = {{"name", s.name},
            {"size", s.size},
            {"mode", s.mode},
            {"mtime", base::format_rfc3339_nano(s.mtime_ns)},
            {"linkTarget", s.link_target}};
  return image::registry::base64_encode(j.dump());
}

base::Result<PathStat> parse_path_stat_header(const std::string& value) {
  auto text = image::registry::base64_decode(value);
  if (!text) return base::invalid("invalid path stat header: not base64");
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("mode") ||
      !j["mode"].is_number_unsigned())
    return base::invalid("invalid path stat header: not a path stat object");
  PathStat s;
  s.name = j["name"].get<std::string>();
  s.size = j.value("size", int64_t{0});
  s.mode = j["mode"].get<uint32_t>();
  s.link_target = j.value("linkTarget", "");
  if (j.contains("mtime") && j["mtime"].is_string())
    if (auto t = base::parse_rfc3339(j["mtime"].get<std::string>())) s.mtime_ns = *t;
  return s;
}

}  // namespace engine::container
