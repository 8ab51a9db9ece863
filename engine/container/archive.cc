#include "engine/container/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"
#include "engine/image/safe_fs.h"
#include "engine/image/unpack.h"

namespace engine::container {

using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

constexpr int kMaxSymlinkHops = 40;  // as the kernel's MAXSYMLINKS

/// openat2 with the root fd as "/": nothing resolves outside it.
int open_in_root(int root_fd, const std::string& rel, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string p = rel.empty() ? "." : rel;
  for (;;) {
    long r = ::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof(how));
    if (r < 0 && errno == EAGAIN) continue;
    return static_cast<int>(r);
  }
}

std::vector<std::string> components(std::string_view p) {
  std::vector<std::string> out;
  for (const std::string& c : base::split(std::string(p), '/'))
    if (!c.empty() && c != ".") out.push_back(c);
  return out;
}

std::string absolute(const std::vector<std::string>& parts) { return "/" + base::join(parts, "/"); }
std::string relative(const std::vector<std::string>& parts) { return base::join(parts, "/"); }

bool follows_dir(const std::string& path) {
  return base::ends_with(path, "/") || base::ends_with(path, "/.") || path == ".";
}

std::string base_name(const std::string& path) {
  auto parts = components(path);
  // docker cp's "/." and "/" both mean "the directory's contents".
  if (parts.empty() || base::ends_with(path, "/.")) return ".";
  return parts.back();
}

struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

la_ssize_t sink_write(archive*, void* data, const void* buf, size_t n) {
  auto* sink = static_cast<const TarSink*>(data);
  if (!(*sink)(std::string_view(static_cast<const char*>(buf), n))) return -1;
  return static_cast<la_ssize_t>(n);
}

base::Error archive_failure(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return base::internal(what + ": " + (msg ? msg : "unknown error"));
}

/// Writes NAME (inside PARENT) as ARCHIVE_PATH, recursing into directories without following symlinks.
Status add_tree(archive* a, int parent, const std::string& name, const std::string& archive_path) {
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return base::sys_error("stat " + archive_path);
  std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_nlink(e.get(), 1);
  std::string entry_path = S_ISDIR(st.st_mode) ? archive_path + "/" : archive_path;
  archive_entry_copy_pathname(e.get(), entry_path.c_str());
  UniqueFd fd;
  if (S_ISLNK(st.st_mode)) {
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(parent, name.c_str(), target.data(), target.size());
    if (n < 0) return base::sys_error("readlink " + archive_path);
    target.resize(static_cast<size_t>(n));
    archive_entry_copy_symlink(e.get(), target.c_str());
    archive_entry_set_size(e.get(), 0);
  } else if (S_ISREG(st.st_mode)) {
    fd.reset(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return base::sys_error("open " + archive_path);
  } else if (S_ISDIR(st.st_mode)) {
    fd.reset(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return base::sys_error("open " + archive_path);
    archive_entry_set_size(e.get(), 0);
  } else {
    archive_entry_set_size(e.get(), 0);
  }
  if (archive_write_header(a, e.get()) != ARCHIVE_OK) return archive_failure(a, "write " + archive_path);
  if (S_ISREG(st.st_mode)) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) return base::sys_error("read " + archive_path);
      if (n == 0) break;
      if (archive_write_data(a, buf, static_cast<size_t>(n)) < 0) return archive_failure(a, "write " + archive_path);
    }
  }
  if (!S_ISDIR(st.st_mode)) return {};
  // Sorted names: the same tree always gives the same tar.
  std::vector<std::string> names;
  UniqueFd list_fd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
  DIR* d = list_fd ? ::fdopendir(list_fd.get()) : nullptr;
  if (!d) return base::sys_error("list " + archive_path);
  list_fd.release();  // closedir closes it
  while (dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names)
    BERTH_TRY(add_tree(a, fd.get(), n, archive_path == "." ? n : archive_path + "/" + n));
  return {};
}

/// Checks each entry of TAR against what exists under dir_fd (noOverwriteDirNonDir).
Status check_no_overwrite(int dir_fd, std::string_view tar) {
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), tar.data(), tar.size()) != ARCHIVE_OK)
    return base::invalid(std::string("read archive: ") + archive_error_string(a.get()));
  archive_entry* e = nullptr;
  for (;;) {
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return base::invalid(std::string("read archive: ") + archive_error_string(a.get()));
    const char* raw = archive_entry_pathname(e);
    auto parts = image::clean_archive_path(raw ? raw : "");
    if (!parts) return parts.take_error().wrap("entry \"" + std::string(raw ? raw : "") + "\"");
    if (parts->empty()) continue;
    UniqueFd existing(image::openat_beneath(dir_fd, relative(*parts), O_PATH | O_NOFOLLOW));
    struct stat st {};
    if (!existing || ::fstat(existing.get(), &st) != 0) continue;
    bool entry_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (S_ISDIR(st.st_mode) && !entry_dir)
      return base::invalid("cannot overwrite directory \"" + absolute(*parts) + "\" with non-directory");
    if (!S_ISDIR(st.st_mode) && entry_dir)
      return base::invalid("cannot overwrite non-directory \"" + absolute(*parts) + "\" with directory");
  }
  return {};
}

}  // namespace

Result<std::string> resolve_in_root(int root_fd, const std::string& path, bool follow_last) {
  std::vector<std::string> todo = components(path), done;
  std::reverse(todo.begin(), todo.end());  // a stack: next component at the back
  int hops = 0;
  while (!todo.empty()) {
    std::string c = todo.back();
    todo.pop_back();
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    if (todo.empty() && !follow_last) {
      done.push_back(c);
      break;
    }
    UniqueFd dir(open_in_root(root_fd, relative(done), O_PATH | O_DIRECTORY));
    if (!dir) {
      done.push_back(c);  // a missing parent: nothing more to resolve
      continue;
    }
    char target[4096];
    ssize_t n = ::readlinkat(dir.get(), c.c_str(), target, sizeof target);
    if (n < 0) {
      done.push_back(c);  // not a link (EINVAL) or missing (ENOENT)
      continue;
    }
    if (++hops > kMaxSymlinkHops) return base::invalid("resolve " + path + ": too many levels of symbolic links");
    std::string t(target, static_cast<size_t>(n));
    if (!t.empty() && t[0] == '/') done.clear();
    std::vector<std::string> more = components(t);
    for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_back(*it);
  }
  return absolute(done);
}

Result<PathStat> stat_in_root(int root_fd, const std::string& path) {
  auto resolved = resolve_in_root(root_fd, path, follows_dir(path));
  if (!resolved) return resolved.take_error();
  UniqueFd fd(open_in_root(root_fd, resolved->substr(1), O_PATH | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) return base::not_found("Could not find the file " + path);
    return base::sys_error("stat " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return base::sys_error("stat " + path);
  PathStat s;
  s.name = base_name(path);
  if (s.name == ".") {
    auto parts = components(*resolved);
    s.name = parts.empty() ? "/" : parts.back();
  }
  s.size = st.st_size;
  s.mode = go_file_mode(st.st_mode);
  s.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (S_ISLNK(st.st_mode)) {
    auto target = resolve_in_root(root_fd, *resolved, true);
    if (!target) return target.take_error();
    s.link_target = *target;
  }
  return s;
}

Status write_tree_tar(int parent_fd, const std::string& name, const std::string& archive_name, const TarSink& sink) {
  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), const_cast<TarSink*>(&sink), nullptr, sink_write, nullptr) != ARCHIVE_OK)
    return archive_failure(a.get(), "start archive");
  BERTH_TRY(add_tree(a.get(), parent_fd, name, archive_name));
  if (archive_write_close(a.get()) != ARCHIVE_OK) return archive_failure(a.get(), "finish archive");
  return {};
}

Status tar_from_root(int root_fd, const std::string& path, const TarSink& sink) {
  auto resolved = resolve_in_root(root_fd, path, follows_dir(path));
  if (!resolved) return resolved.take_error();
  auto parts = components(*resolved);
  std::string name = parts.empty() ? "." : parts.back();
  if (!parts.empty()) parts.pop_back();
  UniqueFd parent(open_in_root(root_fd, relative(parts), O_RDONLY | O_DIRECTORY));
  struct stat st {};
  if (!parent || ::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return base::not_found("Could not find the file " + path);
    return base::sys_error("open " + path);
  }
  return write_tree_tar(parent.get(), name, base_name(path), sink);
}

Status extract_tar(int dir_fd, std::string_view tar, bool chown) {
  size_t at = 0;
  image::ReadFn read = [&](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, tar.size() - at);
    std::memcpy(buf, tar.data() + at, k);
    at += k;
    return k;
  };
  image::UnpackOptions opts;
  opts.convert_whiteouts = false;
  opts.hash_compressed = false;
  opts.chown = chown;
  auto r = image::unpack_layer(read, "/proc/self/fd/" + std::to_string(dir_fd), opts);
  if (!r) {
    base::Error e = r.take_error();
    if (e.code == base::Code::Internal) return e;
    return base::invalid(e.message);
  }
  return {};
}

Status extract_into_root(int root_fd, const std::string& path, std::string_view tar, bool no_overwrite_dir_non_dir,
                         bool chown) {
  auto resolved = resolve_in_root(root_fd, path, true);
  if (!resolved) return resolved.take_error();
  UniqueFd dir(open_in_root(root_fd, resolved->substr(1), O_RDONLY | O_DIRECTORY));
  if (!dir) {
    if (errno == ENOENT) return base::not_found("Could not find the file " + path);
    if (errno == ENOTDIR) return base::invalid("extraction point is not a directory: " + path);
    return base::sys_error("open " + path);
  }
  if (no_overwrite_dir_non_dir) BERTH_TRY(check_no_overwrite(dir.get(), tar));
  return extract_tar(dir.get(), tar, chown);
}

Result<std::string> rename_tar_root(std::string_view tar, const std::string& from, const std::string& to) {
  // Maps an entry path to its new name, or nullopt when it is not under FROM.
  auto rename = [&](const char* raw) -> std::optional<std::string> {
    if (!raw) return std::nullopt;
    std::vector<std::string> parts = components(raw);
    if (from == ".") {
      parts.insert(parts.begin(), to);
      return relative(parts);
    }
    if (parts.empty() || parts[0] != from) return std::nullopt;
    parts[0] = to;
    return relative(parts);
  };
  std::unique_ptr<archive, ReadFree> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_memory(in.get(), tar.data(), tar.size()) != ARCHIVE_OK)
    return base::invalid(std::string("read archive: ") + archive_error_string(in.get()));
  std::string out;
  TarSink sink = [&](std::string_view d) {
    out.append(d);
    return true;
  };
  std::unique_ptr<archive, WriteFree> w(archive_write_new());
  archive_write_set_format_pax_restricted(w.get());
  archive_write_set_bytes_in_last_block(w.get(), 1);
  if (archive_write_open(w.get(), &sink, nullptr, sink_write, nullptr) != ARCHIVE_OK)
    return archive_failure(w.get(), "start archive");
  archive_entry* e = nullptr;
  char buf[65536];
  for (;;) {
    int r = archive_read_next_header(in.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return base::invalid(std::string("read archive: ") + archive_error_string(in.get()));
    auto name = rename(archive_entry_pathname(e));
    if (!name) continue;
    if (archive_entry_filetype(e) == AE_IFDIR) *name += "/";
    archive_entry_copy_pathname(e, name->c_str());
    if (const char* link = archive_entry_hardlink(e)) {
      auto target = rename(link);
      if (!target) return base::invalid("hard link target \"" + std::string(link) + "\" is outside the copied tree");
      archive_entry_copy_hardlink(e, target->c_str());
    }
    if (archive_write_header(w.get(), e) != ARCHIVE_OK) return archive_failure(w.get(), "write " + *name);
    for (;;) {
      la_ssize_t n = archive_read_data(in.get(), buf, sizeof buf);
      if (n < 0) return base::invalid(std::string("read archive: ") + archive_error_string(in.get()));
      if (n == 0) break;
      if (archive_write_data(w.get(), buf, static_cast<size_t>(n)) < 0) return archive_failure(w.get(), "write " + *name);
    }
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK) return archive_failure(w.get(), "finish archive");
  return out;
}

}  // namespace engine::container
