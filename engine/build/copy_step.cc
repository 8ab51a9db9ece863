#include "engine/build/copy_step.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/base/unique_fd.h"
#include "engine/build/add_source.h"
#include "engine/build/dockerfile.h"
#include "engine/image/digest.h"
#include "engine/image/safe_fs.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace {

/// The context files a source pattern names (sorted, as glob returns them).
base::Result<std::vector<std::string>> expand_source(const Instruction& ins, const std::string& root,
                                                     const std::string& word) {
  std::string pattern = root + "/" + word;
  glob_t g{};
  int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
  std::vector<std::string> out;
  for (size_t k = 0; rc == 0 && k < g.gl_pathc; ++k) out.emplace_back(g.gl_pathv[k]);
  ::globfree(&g);
  if (out.empty()) return instruction_error(ins, ins.keyword + " failed: no source files were specified: " + word);
  // The source itself may be a symlink (copied as such); its directory must be inside the root.
  std::error_code ec;
  std::string canon_root = fs::weakly_canonical(root, ec).string();
  for (const auto& src : out) {
    fs::path p(src);
    std::string parent = fs::weakly_canonical(p.parent_path(), ec).string();
    std::string canon = p.filename() == ".." ? fs::weakly_canonical(p, ec).string() : parent + "/" + p.filename().string();
    if (fs::path(canon).lexically_normal() != fs::path(canon_root).lexically_normal() &&
        !canon.starts_with(canon_root + "/"))
      return instruction_error(ins, "source outside the build context: " + word);
  }
  return out;
}

/// The components of path below root ("/s/app/x", "/s" -> {"app", "x"}).
std::vector<std::string> components_below(const fs::path& root, const fs::path& path) {
  std::vector<std::string> out;
  for (const auto& c : path.lexically_relative(root))
    if (!c.empty() && c != ".") out.push_back(c.string());
  return out;
}

/// Copies src (file, symlink or directory tree; links are not followed) to root/dest. Every
/// destination is resolved beneath root (openat2 RESOLVE_BENEATH): a symlink an earlier
/// source put in staging can never make a later one write outside it.
base::Status copy_beneath(const fs::path& src, int root_fd, const std::vector<std::string>& dest) {
  struct stat st {};
  if (::lstat(src.c_str(), &st) != 0) return base::sys_error("stat " + src.filename().string());
  std::vector<std::string> parent(dest.begin(), dest.end() - 1);
  const std::string& name = dest.back();
  auto dir = image::open_dir_beneath(root_fd, parent, true);
  if (!dir) return dir.take_error();
  if (S_ISDIR(st.st_mode)) {
    struct stat cur {};
    if (::fstatat(dir->get(), name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(cur.st_mode))
      BERTH_TRY(image::remove_at(dir->get(), name));
    if (::mkdirat(dir->get(), name.c_str(), st.st_mode & 07777) != 0 && errno != EEXIST)
      return base::sys_error("mkdir " + image::join_path(dest));
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(src, ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::vector<std::string> child = dest;
      child.push_back(n);
      BERTH_TRY(copy_beneath(src / n, root_fd, child));
    }
    return {};
  }
  if (!S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode)) return {};  // fifos, sockets, devices: not copied
  (void)image::remove_at(dir->get(), name);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    std::string target = fs::read_symlink(src, ec).string();
    if (ec || ::symlinkat(target.c_str(), dir->get(), name.c_str()) != 0)
      return base::sys_error("symlink " + image::join_path(dest));
    return {};
  }
  base::UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!in) return base::sys_error("open " + src.filename().string());
  base::UniqueFd out(::openat(dir->get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                              st.st_mode & 07777));
  if (!out) return base::sys_error("create " + image::join_path(dest));
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::sys_error("copy " + src.filename().string());
    if (n == 0) break;  // the file shrank meanwhile
    left -= n;
  }
  ::fchmod(out.get(), st.st_mode & 07777);
  return {};
}

/// Applies owner and mode to path and, for a directory, everything beneath it.
base::Status apply_owner_mode(const std::string& path, const std::optional<Owner>& owner,
                              const std::optional<unsigned>& mode) {
  std::vector<std::string> paths{path};
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(path)))
    for (auto it = fs::recursive_directory_iterator(path, ec); it != fs::recursive_directory_iterator(); ++it)
      paths.push_back(it->path().string());
  for (const auto& p : paths) {
    if (owner && ::lchown(p.c_str(), owner->uid, owner->gid) != 0) return base::sys_error("chown " + p);
    if (mode && !fs::is_symlink(fs::symlink_status(p)) && ::chmod(p.c_str(), *mode) != 0)
      return base::sys_error("chmod " + p);
  }
  return {};
}

/// Feeds one file system entry (and, for a directory, its tree in sorted order) to h.
base::Status hash_entry(image::Sha256& h, const fs::path& path, const std::string& rel) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return base::sys_error("stat " + path.string());
  std::string head = rel + '\0' + std::to_string(st.st_mode) + '\0';
  h.update(head);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    h.update(fs::read_symlink(path, ec).string());
  } else if (S_ISREG(st.st_mode)) {
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return base::sys_error("open " + path.string());
    h.update(std::to_string(st.st_size) + '\0');
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return base::sys_error("read " + path.string());
      if (n == 0) break;
      h.update(buf, static_cast<size_t>(n));
    }
  } else if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) BERTH_TRY(hash_entry(h, path / n, rel + "/" + n));
  }
  h.update("\n");
  return {};
}

}  // namespace

base::Result<std::optional<std::string>> source_digest(const Instruction& ins, const CopySpec& spec) {
  image::Sha256 h;
  h.update("copy-sources-v1\n");
  for (const auto& word : spec.sources) {
    if (is_url(word)) return std::optional<std::string>();
    auto found = expand_source(ins, spec.src_root, word);
    if (!found) return found.take_error();
    for (const auto& src : *found) BERTH_TRY(hash_entry(h, src, fs::path(src).filename().string()));
  }
  return std::optional<std::string>(h.finish().str());
}

void settle_dir_times(const std::string& dir) {
  const struct timespec times[2] = {{0, 0}, {0, 0}};
  std::error_code ec;
  std::vector<std::string> dirs{dir};
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it)
    dirs.push_back(it->path().string());
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) ::utimensat(AT_FDCWD, d->c_str(), times, AT_SYMLINK_NOFOLLOW);
}

base::Status stage_copy(const Instruction& ins, const CopySpec& spec, const std::string& staging) {
  if (spec.sources.empty()) return instruction_error(ins, ins.keyword + " requires at least two arguments");
  std::string dest = spec.dest;
  if (!dest.starts_with("/")) dest = (spec.workdir.empty() ? std::string("/") : spec.workdir + "/") + dest;
  std::vector<std::string> sources;
  std::vector<std::string> urls;
  for (const auto& word : spec.sources) {
    if (is_url(word)) {
      if (!spec.add) return instruction_error(ins, "COPY does not support URLs (use ADD): " + word);
      urls.push_back(word);
      continue;
    }
    auto found = expand_source(ins, spec.src_root, word);
    if (!found) return found.take_error();
    sources.insert(sources.end(), found->begin(), found->end());
  }
  bool dest_is_dir = dest.ends_with("/") || dest.ends_with("/.") || sources.size() + urls.size() > 1;
  // Cleaned as an absolute path inside the image ("/../x" is "/x"): never outside staging.
  fs::path dest_path = fs::path(staging) / fs::path(dest).lexically_normal().relative_path();
  std::error_code ec;
  std::vector<std::string> created;  // what --chown/--chmod apply to
  base::UniqueFd root(::open(staging.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return base::sys_error("open " + staging);
  for (const auto& src : sources) {
    bool is_dir = fs::is_directory(fs::symlink_status(src));
    fs::path target = dest_path;
    std::string name = fs::path(src).filename().string();
    if (spec.add && !is_dir && is_archive(src)) {
      auto dir = image::open_dir_beneath(root.get(), components_below(staging, target), true);
      if (!dir) return instruction_error(ins, "ADD " + name + ": " + dir.error().message);
      if (auto u = unpack_archive(src, target.string()); !u) return instruction_error(ins, "ADD " + name + ": " + u.error().message);
      created.push_back(target.string());
      continue;
    }
    if (!is_dir && dest_is_dir) target /= name;
    auto rel = components_below(staging, target);
    base::Status copied;
    if (is_dir) {  // a directory's contents are copied, not the directory itself
      if (auto d = image::open_dir_beneath(root.get(), rel, true); !d) copied = d.take_error();
      for (const auto& e : fs::directory_iterator(src, ec)) {
        if (!copied.ok()) break;
        auto child = rel;
        child.push_back(e.path().filename().string());
        copied = copy_beneath(e.path(), root.get(), child);
      }
    } else if (rel.empty()) {
      copied = base::invalid("cannot copy a file over the root directory");
    } else {
      copied = copy_beneath(src, root.get(), rel);
    }
    if (!copied) return instruction_error(ins, "copy " + name + ": " + copied.error().message);
    created.push_back(target.string());
  }
  std::vector<std::string> downloads;
  for (const auto& url : urls) {
    fs::path target = dest_path;
    if (dest_is_dir) {
      std::string name = url_file_name(url);
      if (name.empty() || name == "." || name == "..")
        return instruction_error(ins, "cannot determine a file name for " + url + ": give a destination file");
      target /= name;
    }
    if (auto dir = image::open_dir_beneath(root.get(), components_below(staging, target.parent_path()), true); !dir)
      return instruction_error(ins, "ADD " + url + ": " + dir.error().message);
    if (auto d = download(url, target.string()); !d) return instruction_error(ins, "ADD " + url + ": " + d.error().message);
    downloads.push_back(target.string());
    created.push_back(target.string());
  }
  std::optional<Owner> owner = spec.owner;
  if (!owner && ::geteuid() == 0) owner = Owner{};  // Docker: new files belong to 0:0
  if (owner) BERTH_TRY(apply_owner_mode(staging, owner, std::nullopt));
  if (spec.mode)
    for (const auto& p : created) BERTH_TRY(apply_owner_mode(p, std::nullopt, spec.mode));
  // Fixed mtimes keep the cache key a function of content; downloads keep Last-Modified.
  std::vector<std::pair<std::string, struct timespec>> keep;
  for (const auto& p : downloads) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) keep.emplace_back(p, st.st_mtim);
  }
  settle_dir_times(staging);
  for (const auto& [p, t] : keep) {
    const struct timespec times[2] = {t, t};
    ::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  return {};
}

}  // namespace engine::build
