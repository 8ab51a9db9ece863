#include "engine/cgroup/cgroup_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace engine::cgroup {

using engine::base::Error;
using engine::base::Result;
using engine::base::Status;

static std::string join_path(const std::string& dir, const std::string& file) { return dir + "/" + file; }

Status write_value(const std::string& dir, const std::string& file, const std::string& value) {
  std::string path = join_path(dir, file);
  engine::base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return engine::base::sys_error("write " + path);
  for (;;) {
    ssize_t n = ::write(fd.get(), value.data(), value.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return engine::base::sys_error("write " + path);
    if (static_cast<size_t>(n) != value.size()) return engine::base::sys_error("write " + path, EIO);
    return {};
  }
}

Result<std::string> read_value(const std::string& dir, const std::string& file) {
  auto r = engine::base::read_file(join_path(dir, file));
  if (!r) return r.take_error();
  return std::string(engine::base::trim(*r));
}

static bool parse_u64(std::string_view s, uint64_t* out) {
  s = engine::base::trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Result<uint64_t> read_u64(const std::string& dir, const std::string& file) {
  auto r = read_value(dir, file);
  if (!r) return r.take_error();
  if (*r == "max") return uint64_t{0};
  uint64_t v = 0;
  if (!parse_u64(*r, &v)) return engine::base::internal("parse " + join_path(dir, file) + ": \"" + *r + "\" is not a number");
  return v;
}

Result<std::map<std::string, uint64_t>> read_keyed(const std::string& dir, const std::string& file) {
  auto r = engine::base::read_file(join_path(dir, file));
  if (!r) return r.take_error();
  std::map<std::string, uint64_t> out;
  for (const std::string& line : engine::base::split(*r, '\n')) {
    std::string_view l = engine::base::trim(line);
    size_t sp = l.find(' ');
    if (sp == std::string_view::npos) continue;
    uint64_t v = 0;
    if (parse_u64(l.substr(sp + 1), &v)) out[std::string(l.substr(0, sp))] = v;
  }
  return out;
}

bool has_file(const std::string& dir, const std::string& file) {
  struct stat st {};
  return ::stat(join_path(dir, file).c_str(), &st) == 0;
}

Result<std::vector<pid_t>> read_procs(const std::string& dir) {
  auto r = engine::base::read_file(join_path(dir, "cgroup.procs"));
  if (!r) return r.take_error();
  std::vector<pid_t> out;
  for (const std::string& line : engine::base::split(*r, '\n')) {
    uint64_t v = 0;
    if (parse_u64(line, &v)) out.push_back(static_cast<pid_t>(v));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::set<int>> parse_id_list(const std::string& list, const std::string& what) {
  std::set<int> ids;
  auto bad = [&] { return engine::base::invalid(what + " \"" + list + "\" is not a list like 0-3,5"); };
  if (engine::base::trim(list).empty()) return bad();
  for (const std::string& part : engine::base::split(list, ',')) {
    std::string_view p = engine::base::trim(part);
    size_t dash = p.find('-');
    uint64_t lo = 0, hi = 0;
    if (dash == std::string_view::npos) {
      if (!parse_u64(p, &lo)) return bad();
      hi = lo;
    } else if (!parse_u64(p.substr(0, dash), &lo) || !parse_u64(p.substr(dash + 1), &hi)) {
      return bad();
    }
    if (lo > hi || hi > 65535) return bad();
    for (uint64_t i = lo; i <= hi; ++i) ids.insert(static_cast<int>(i));
  }
  return ids;
}

Status remove_cgroup_dir(const std::string& dir) {
  // rmdir on a cgroup fails with EBUSY until the last task has fully exited.
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY || attempt >= 100) return engine::base::sys_error("remove " + dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace engine::cgroup
