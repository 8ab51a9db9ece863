#include "engine/build/diff_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace engine::build {
namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

base::Error arch_error(archive* a, const std::string& what) {
  return base::internal(what + ": " + (archive_error_string(a) ? archive_error_string(a) : "unknown error"));
}

base::Result<void> write_header(archive* a, const std::string& name, const struct stat& st, const char* link) {
  EntryPtr e(archive_entry_new(), archive_entry_free);
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_pathname(e.get(), name.c_str());
  if (link) archive_entry_set_symlink(e.get(), link);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK) return arch_error(a, "write tar header " + name);
  return {};
}

base::Result<void> write_whiteout(archive* a, const std::string& name, const struct stat& like) {
  struct stat st = like;
  st.st_mode = S_IFREG | 0644;
  st.st_size = 0;
  st.st_rdev = 0;
  return write_header(a, name, st, nullptr);
}

base::Result<void> write_file(archive* a, const std::string& path, const std::string& name, const struct stat& st) {
  if (auto r = write_header(a, name, st, nullptr); !r) return r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return base::sys_error("open " + path);
  char buf[65536];
  base::Result<void> out;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      out = base::sys_error("read " + path);
      break;
    }
    if (n == 0) break;
    if (archive_write_data(a, buf, static_cast<size_t>(n)) < 0) {
      out = arch_error(a, "write tar data " + name);
      break;
    }
  }
  ::close(fd);
  return out;
}

base::Result<void> walk(archive* a, const std::string& dir, const std::string& prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return base::sys_error("open directory " + dir);
  std::vector<std::string> names;
  while (dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string path = dir + "/" + n;
    std::string name = prefix + n;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return base::sys_error("stat " + path);
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
      if (auto r = write_whiteout(a, prefix + ".wh." + n, st); !r) return r;
    } else if (S_ISDIR(st.st_mode)) {
      if (auto r = write_header(a, name + "/", st, nullptr); !r) return r;
      char val[4] = {};
      ssize_t len = ::lgetxattr(path.c_str(), "trusted.overlay.opaque", val, sizeof val - 1);
      if (len == 1 && val[0] == 'y')
        if (auto r = write_whiteout(a, name + "/.wh..wh..opq", st); !r) return r;
      if (auto r = walk(a, path, name + "/"); !r) return r;
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(4096, '\0');
      ssize_t len = ::readlink(path.c_str(), target.data(), target.size());
      if (len < 0) return base::sys_error("readlink " + path);
      target.resize(static_cast<size_t>(len));
      if (auto r = write_header(a, name, st, target.c_str()); !r) return r;
    } else if (S_ISREG(st.st_mode)) {
      if (auto r = write_file(a, path, name, st); !r) return r;
    } else {
      if (auto r = write_header(a, name, st, nullptr); !r) return r;  // devices, fifos
    }
  }
  return {};
}

}  // namespace

base::Result<void> write_diff_tar(const std::string& dir, int fd) {
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) return arch_error(a.get(), "open tar output");
  if (auto r = walk(a.get(), dir, ""); !r) return r;
  if (archive_write_close(a.get()) != ARCHIVE_OK) return arch_error(a.get(), "finish tar");
  return {};
}

}  // namespace engine::build
