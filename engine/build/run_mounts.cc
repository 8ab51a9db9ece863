#include "engine/build/run_mounts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/image/digest.h"

namespace engine::build {

namespace fs = std::filesystem;

namespace {

base::Error mount_error(const Instruction& ins, const std::string& msg) {
  return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": RUN --mount: " + msg);
}

/// Splits "a=b,c=d,ro" into pairs (a bare word has an empty value).
std::vector<std::pair<std::string, std::string>> split_options(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) out.emplace_back(item, "");
    else out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

bool parse_number(const std::string& s, int base, unsigned& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  unsigned long v = std::strtoul(s.c_str(), &end, base);
  if (*end != '\0' || v > 0xffffffffUL) return false;
  out = static_cast<unsigned>(v);
  return true;
}

}  // namespace

base::Result<std::vector<runtime::MountSpec>> run_mounts(const Instruction& ins, const std::string& workdir,
                                                         const std::string& cache_root) {
  std::vector<runtime::MountSpec> out;
  for (const std::string& flag : ins.flags) {
    if (!flag.starts_with("--mount=")) continue;
    std::string type = "bind", target, id;
    bool readonly = false;
    unsigned mode = 0755, uid = 0, gid = 0;
    for (const auto& [k, v] : split_options(flag.substr(8))) {
      if (k == "type") type = v;
      else if (k == "target" || k == "dst" || k == "destination") target = v;
      else if (k == "id") id = v;
      else if (k == "ro" || k == "readonly") readonly = v.empty() || v == "true";
      else if (k == "rw") readonly = !(v.empty() || v == "true");
      else if (k == "sharing") {
        if (v != "shared" && v != "private" && v != "locked") return mount_error(ins, "invalid sharing \"" + v + "\"");
      } else if (k == "mode") {
        if (!parse_number(v, 8, mode) || mode > 07777) return mount_error(ins, "invalid mode \"" + v + "\"");
      } else if (k == "uid") {
        if (!parse_number(v, 10, uid)) return mount_error(ins, "invalid uid \"" + v + "\"");
      } else if (k == "gid") {
        if (!parse_number(v, 10, gid)) return mount_error(ins, "invalid gid \"" + v + "\"");
      } else {
        return mount_error(ins, "unsupported option \"" + k + "\"");
      }
    }
    if (type != "cache") return mount_error(ins, "type=" + type + " is not supported (only type=cache)");
    if (target.empty()) return mount_error(ins, "target is required");
    if (target.front() != '/') target = (workdir.empty() ? std::string("/") : workdir + "/") + target;
    target = fs::path(target).lexically_normal().string();
    if (target == "/") return mount_error(ins, "cannot mount over /");
    if (id.empty()) id = target;
    std::string dir = cache_root + "/" + image::sha256_of(id).hex;
    if (!fs::is_directory(dir)) {
      std::string tmp = dir + ".tmp-" + std::to_string(::getpid());
      BERTH_TRY(base::make_dirs(tmp, 0700));
      if (::chmod(tmp.c_str(), mode) != 0 || ::chown(tmp.c_str(), uid, gid) != 0)
        return base::sys_error("prepare cache mount " + tmp);
      if (::rename(tmp.c_str(), dir.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
        (void)base::remove_all(tmp);
        return base::sys_error("create cache mount " + dir);
      }
      (void)base::remove_all(tmp);  // another build created it first
    }
    runtime::MountSpec m;
    m.type = "bind";
    m.source = dir;
    m.target = target;
    m.options = {readonly ? "ro" : "rw", "rprivate"};
    out.push_back(std::move(m));
  }
  return out;
}

void remove_mount_stubs(const std::vector<runtime::MountSpec>& mounts, const std::string& upper_dir,
                        const std::vector<std::string>& lowerdirs) {
  for (const auto& m : mounts) {
    bool in_lower = false;
    for (const auto& l : lowerdirs) in_lower = in_lower || fs::exists(fs::symlink_status(l + m.target));
    if (in_lower) continue;
    std::error_code ec;
    if (fs::is_directory(fs::symlink_status(upper_dir + m.target)) && fs::is_empty(upper_dir + m.target, ec))
      fs::remove(upper_dir + m.target, ec);
  }
}

}  // namespace engine::build
