#include "engine/build/layer_view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/unique_fd.h"
#include "engine/image/safe_fs.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace {

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

bool is_opaque(const std::string& dir) {
  char v[2] = {0, 0};
  return ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y';
}

/// True when a directory on the way to REL inside LAYER is a symlink: following it would
/// resolve against the host, not the image (a hostile image could point it at /etc).
bool crosses_symlink(const std::string& layer, const fs::path& rel) {
  fs::path walk;
  fs::path parent = rel.parent_path();
  for (const auto& part : parent) {
    walk /= part;
    struct stat st {};
    if (::lstat((layer + "/" + walk.string()).c_str(), &st) != 0) return false;
    if (S_ISLNK(st.st_mode)) return true;
  }
  return false;
}

/// Merges one layer's SRC (already lstat'ed) over DST.
base::Status merge(const std::string& src, const struct stat& st, const std::string& dst) {
  std::error_code ec;
  struct stat dst_st {};
  bool dst_exists = ::lstat(dst.c_str(), &dst_st) == 0;
  if (S_ISDIR(st.st_mode)) {
    if (dst_exists && (!S_ISDIR(dst_st.st_mode) || is_opaque(src))) fs::remove_all(dst, ec);
    fs::create_directories(dst, ec);
    if (ec) return base::internal("create " + dst + ": " + ec.message());
    ::chmod(dst.c_str(), st.st_mode & 07777);
    for (const auto& e : fs::directory_iterator(src, ec)) {
      struct stat cst {};
      if (::lstat(e.path().c_str(), &cst) != 0) continue;
      std::string child = dst + "/" + e.path().filename().string();
      if (is_whiteout(cst)) {
        fs::remove_all(child, ec);
        continue;
      }
      BERTH_TRY(merge(e.path().string(), cst, child));
    }
    return {};
  }
  if (dst_exists) fs::remove_all(dst, ec);
  if (S_ISLNK(st.st_mode)) {
    fs::copy_symlink(src, dst, ec);
  } else if (S_ISREG(st.st_mode)) {
    fs::copy_file(src, dst, ec);
  } else {
    return {};  // fifos and sockets are not copied
  }
  if (ec) return base::internal("copy " + src + ": " + ec.message());
  return {};
}

}  // namespace

std::optional<std::string> LayerView::find_file(const std::string& rel) const {
  for (const auto& layer : layers_) {
    if (crosses_symlink(layer, fs::path(rel).relative_path())) return std::nullopt;
    std::string p = layer + "/" + rel;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISREG(st.st_mode)) return p;
    return std::nullopt;  // a whiteout, directory or link hides the layers below
  }
  return std::nullopt;
}

std::string LayerView::read_file(const std::string& rel) const {
  auto p = find_file(rel);
  if (!p) return "";
  std::ifstream in(*p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

base::Status LayerView::flatten(const std::string& rel_in, const std::string& dest_root) const {
  fs::path rel = fs::path(rel_in).relative_path().lexically_normal();
  if (rel.empty() || rel == ".") rel = "";
  if (!rel.empty() && *rel.begin() == "..") return base::invalid("path outside the image: " + rel_in);
  std::string dst = rel.empty() ? dest_root : dest_root + "/" + rel.string();
  std::error_code ec;
  // An earlier flatten may have left a symlink where this path's parent goes: resolve (and
  // create) the parent beneath dest_root first, so nothing below is removed or written outside.
  fs::create_directories(dest_root, ec);
  base::UniqueFd root(::open(dest_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return base::sys_error("open " + dest_root);
  std::vector<std::string> parent;
  for (const auto& c : rel.parent_path()) parent.push_back(c.string());
  if (auto dir = image::open_dir_beneath(root.get(), parent, true); !dir)
    return dir.take_error().wrap("copy " + rel_in);
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (!rel.empty() && crosses_symlink(*it, rel))
      return base::invalid("copy " + rel_in + ": symbolic links in the source path are not supported");
    // A whiteout or opaque directory on the way to REL hides what the layers below gave.
    fs::path walk;
    bool hidden = false;
    for (const auto& part : rel) {
      walk /= part;
      struct stat st {};
      std::string p = *it + "/" + walk.string();
      if (::lstat(p.c_str(), &st) != 0) break;
      if (is_whiteout(st) || (S_ISDIR(st.st_mode) && is_opaque(p))) hidden = true;
      if (!S_ISDIR(st.st_mode)) break;
    }
    if (hidden) fs::remove_all(dst, ec);
    std::string src = rel.empty() ? *it : *it + "/" + rel.string();
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0 || is_whiteout(st)) continue;
    BERTH_TRY(merge(src, st, dst));
  }
  return {};
}

std::string glob_free_prefix(const std::string& pattern) {
  size_t g = pattern.find_first_of("*?[");
  if (g == std::string::npos) return pattern;
  size_t slash = pattern.rfind('/', g);
  return slash == std::string::npos ? std::string() : pattern.substr(0, slash);
}

}  // namespace engine::build
