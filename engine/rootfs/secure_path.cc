#include "engine/rootfs/secure_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/base/strings.h"

namespace engine::rootfs {

using base::Result;
using base::UniqueFd;

namespace {

int openat2_in_root(int root_fd, const std::string& rel, int flags) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root_fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how));
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<UniqueFd> open_parent_in_root(const std::string& root, const std::string& path, std::string* name) {
  UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) return base::sys_error("open " + root);
  std::vector<std::string> parts;
  for (const std::string& p : base::split(path, '/'))
    if (!p.empty() && p != ".") parts.push_back(p);
  if (parts.empty()) return base::invalid("no file name in \"" + path + "\"");
  *name = parts.back();
  parts.pop_back();
  std::string rel;
  for (const std::string& p : parts) {
    std::string next = rel.empty() ? p : rel + "/" + p;
    int fd = openat2_in_root(root_fd.get(), next, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      UniqueFd parent(openat2_in_root(root_fd.get(), rel, O_PATH | O_DIRECTORY));
      if (!parent) return base::sys_error("open " + root + "/" + rel);
      if (::mkdirat(parent.get(), p.c_str(), 0755) != 0 && errno != EEXIST)
        return base::sys_error("mkdir " + root + "/" + next);
      fd = openat2_in_root(root_fd.get(), next, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) return base::sys_error("open " + root + "/" + next);
    ::close(fd);
    rel = next;
  }
  UniqueFd parent(openat2_in_root(root_fd.get(), rel, O_PATH | O_DIRECTORY));
  if (!parent) return base::sys_error("open " + root + "/" + rel);
  return parent;
}

namespace {
Result<UniqueFd> open_in_root_depth(const std::string& root, const std::string& path, Create create, int depth);
}

Result<UniqueFd> open_in_root(const std::string& root, const std::string& path, Create create) {
  return open_in_root_depth(root, path, create, 0);
}

namespace {

Result<UniqueFd> open_in_root_depth(const std::string& root, const std::string& path, Create create, int depth) {
  std::string name;
  auto parent = open_parent_in_root(root, path, &name);
  if (!parent) return parent.take_error();
  std::string full = root + path;
  if (create == Create::Dir) {
    if (::mkdirat(parent->get(), name.c_str(), 0755) != 0 && errno != EEXIST) return base::sys_error("mkdir " + full);
  } else if (create == Create::File) {
    // Needs a real directory fd for O_CREAT: reopen the parent (already resolved inside the root).
    UniqueFd dir(::openat(parent->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return base::sys_error("open " + full);
    int fd = ::openat(dir.get(), name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
    else if (errno != EEXIST && errno != EISDIR && errno != ELOOP) return base::sys_error("create " + full);
  }
  UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) return base::sys_error("open " + root);
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  UniqueFd fd(openat2_in_root(root_fd.get(), rel, O_PATH));
  if (!fd && errno == ENOENT && create != Create::None && depth < 8) {
    // A dangling symlink: create what it points to, resolved inside the root as well.
    char link[4096];
    ssize_t n = ::readlinkat(parent->get(), name.c_str(), link, sizeof link - 1);
    if (n > 0) {
      std::string target(link, static_cast<size_t>(n));
      if (target[0] != '/') target = path.substr(0, path.rfind('/') + 1) + target;
      return open_in_root_depth(root, target, create, depth + 1);
    }
    errno = ENOENT;
  }
  if (!fd) return base::sys_error("open " + full);
  return fd;
}

}  // namespace

}  // namespace engine::rootfs
