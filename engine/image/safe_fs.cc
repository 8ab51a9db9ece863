#include "engine/image/safe_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace engine::image {

using base::Result;
using base::Status;
using base::UniqueFd;

namespace {
constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxName = 255;
}  // namespace

Result<std::vector<std::string>> clean_archive_path(std::string_view path) {
  if (path.size() > kMaxPath) return base::invalid("path is too long (" + std::to_string(path.size()) + " bytes)");
  if (!path.empty() && path.front() == '/') return base::invalid("absolute path");
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view comp = path.substr(start, slash - start);
    start = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") return base::invalid("path contains \"..\"");
    if (comp.size() > kMaxName) return base::invalid("path component is too long");
    if (comp.find('\0') != std::string_view::npos) return base::invalid("path contains a NUL byte");
    out.emplace_back(comp);
  }
  return out;
}

std::string join_path(const std::vector<std::string>& parts) {
  if (parts.empty()) return ".";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

int openat_beneath(int dir_fd, const std::string& rel, int flags, unsigned mode, unsigned extra_resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | extra_resolve;
  for (;;) {
    long r = ::syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof(how));
    if (r < 0 && errno == EAGAIN) continue;  // a concurrent rename raced the lookup; retry
    return static_cast<int>(r);
  }
}

Result<UniqueFd> open_dir_beneath(int root_fd, const std::vector<std::string>& rel, bool create) {
  std::string path = join_path(rel);
  UniqueFd fd(openat_beneath(root_fd, path, O_PATH | O_DIRECTORY));
  if (fd) return fd;
  int err = errno;
  if (err == EXDEV || err == ELOOP)
    return base::make_error(base::Code::InvalidArgument, "\"" + path + "\" resolves outside the layer");
  if (err == ENOTDIR) return base::invalid("\"" + path + "\" is not a directory");
  if (err != ENOENT || !create) return base::sys_error("open " + path, err);
  // Create the missing directories one by one, each lookup still confined beneath root.
  UniqueFd cur(openat_beneath(root_fd, ".", O_PATH | O_DIRECTORY));
  if (!cur) return base::sys_error("open layer root");
  std::vector<std::string> done;
  for (const std::string& comp : rel) {
    done.push_back(comp);
    std::string sub = join_path(done);
    UniqueFd next(openat_beneath(root_fd, sub, O_PATH | O_DIRECTORY));
    if (!next && errno == ENOENT) {
      if (::mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST) return base::sys_error("mkdir " + sub);
      next.reset(openat_beneath(root_fd, sub, O_PATH | O_DIRECTORY));
    }
    if (!next) {
      int e = errno;
      if (e == EXDEV || e == ELOOP) return base::invalid("\"" + sub + "\" resolves outside the layer");
      if (e == ENOTDIR) return base::invalid("\"" + sub + "\" is not a directory");
      return base::sys_error("open " + sub, e);
    }
    cur = std::move(next);
  }
  return cur;
}

Status remove_at(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return {};
    return base::sys_error("stat " + name);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) return base::sys_error("remove " + name);
    return {};
  }
  int sub = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return base::sys_error("open " + name);
  DIR* d = ::fdopendir(sub);
  if (!d) {
    ::close(sub);
    return base::sys_error("open " + name);
  }
  std::vector<std::string> children;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") children.push_back(n);
  }
  Status st_children;
  for (const std::string& c : children) {
    Status s = remove_at(::dirfd(d), c);
    if (!s.ok()) {
      st_children = s.take_error().wrap(name);
      break;
    }
  }
  ::closedir(d);
  if (!st_children.ok()) return st_children;
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return base::sys_error("remove " + name);
  return {};
}

}  // namespace engine::image
