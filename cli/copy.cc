#include "cli/copy.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli/context.h"
#include "cli/table.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"
#include "engine/container/archive.h"
#include "engine/container/path_stat.h"

namespace cli {

using engine::base::ends_with;
using engine::base::UniqueFd;
using engine::container::PathStat;

namespace {

std::string archive_url(const std::string& container, const std::string& path) {
  return "/containers/" + url_encode(container) + "/archive?path=" + url_encode(path);
}

/// Path without trailing slashes ("/" stays "/").
std::string trim_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string base_of(const std::string& p) {
  std::string t = trim_slashes(p);
  size_t slash = t.rfind('/');
  return slash == std::string::npos ? t : t.substr(slash + 1);
}

std::string dir_of(const std::string& p, bool absolute) {
  std::string t = trim_slashes(p);
  size_t slash = t.rfind('/');
  if (slash == std::string::npos) return absolute ? "/" : ".";
  return slash == 0 ? "/" : t.substr(0, slash);
}

/// The top entry name of what is copied: "." for "DIR/." (the contents), else the base name.
std::string source_root(const std::string& p) { return ends_with(p, "/.") || p == "." ? "." : base_of(p); }

/// HEAD of a container path; nullopt when the path does not exist.
std::optional<PathStat> stat_container(const ApiClient& api, const std::string& container, const std::string& path) {
  HttpResponse r = check(api.request("HEAD", archive_url(container, path)));
  if (r.status == 404) {
    HttpResponse c = check(api.request("GET", "/containers/" + url_encode(container) + "/json"));
    if (!c.ok()) fail_response(c, 1);
    return std::nullopt;
  }
  if (!r.ok()) fail("Error response from daemon: stat " + container + ":" + path + ": HTTP " + std::to_string(r.status), 1);
  auto st = engine::container::parse_path_stat_header(r.headers["x-docker-container-path-stat"]);
  if (!st) fail(st.error().str(), 1);
  return *st;
}

void report(const CopyOptions& o, size_t bytes, const std::string& dst) {
  if (!o.quiet) std::fprintf(stderr, "Successfully copied %s to %s\n", human_size(double(bytes)).c_str(), dst.c_str());
}

void copy_from_container(const ApiClient& api, const CopyEndpoint& src, const CopyEndpoint& dst, const CopyOptions& o) {
  std::string path = src.path.empty() ? "/" : src.path;
  if (o.follow_link) {
    auto st = stat_container(api, src.container, path);
    if (!st) fail("Error response from daemon: Could not find the file " + path + " in container " + src.container, 1);
    if (st->is_symlink()) path = st->link_target;
  }
  HttpResponse r = check(api.request("GET", archive_url(src.container, path)));
  if (!r.ok()) fail_response(r, 1);
  if (dst.stdio()) {
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    std::fflush(stdout);
    return;
  }
  auto st = engine::container::parse_path_stat_header(r.headers["x-docker-container-path-stat"]);
  if (!st) fail(st.error().str(), 1);
  std::string root = source_root(path), into = dst.path, rename_to;
  struct stat local {};
  bool exists = ::stat(dst.path.c_str(), &local) == 0;
  if (exists && S_ISDIR(local.st_mode)) {
    into = dst.path;  // SRC goes in under its own name ("." = its contents)
  } else if (exists) {
    if (st->is_dir()) fail("cannot copy a directory to a file: " + dst.path, 1);
    into = dir_of(dst.path, false);
    rename_to = base_of(dst.path);
  } else {
    if (ends_with(dst.path, "/") && !st->is_dir()) fail("destination directory " + dst.path + " does not exist", 1);
    into = dir_of(dst.path, false);
    rename_to = base_of(dst.path);
  }
  std::string tar = r.body;
  if (!rename_to.empty() && rename_to != root) {
    auto renamed = engine::container::rename_tar_root(r.body, root, rename_to);
    if (!renamed) fail(renamed.error().str(), 1);
    tar = std::move(*renamed);
  }
  UniqueFd dir(::open(into.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) fail("lstat " + into + ": no such directory", 1);
  if (auto done = engine::container::extract_tar(dir.get(), tar, o.archive); !done)
    fail("copy to " + dst.path + ": " + done.error().str(), 1);
  report(o, r.body.size(), dst.path);
}

void copy_to_container(const ApiClient& api, const CopyEndpoint& src, const CopyEndpoint& dst, const CopyOptions& o) {
  std::string dst_path = dst.path.empty() ? "/" : dst.path;
  auto dst_stat = stat_container(api, dst.container, dst_path);
  if (dst_stat && dst_stat->is_symlink()) {
    dst_path = dst_stat->link_target;
    dst_stat = stat_container(api, dst.container, dst_path);
  }
  std::string put_dir, name, tar;
  std::string query = o.archive ? "&copyUIDGID=1" : "";
  if (src.stdio()) {
    if (!dst_stat || !dst_stat->is_dir()) fail("destination \"" + dst.container + ":" + dst.path + "\" must be a directory", 1);
    tar.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    put_dir = dst_path;
  } else {
    std::string local = src.path;
    struct stat st {};
    if ((o.follow_link ? ::stat(local.c_str(), &st) : ::lstat(local.c_str(), &st)) != 0)
      fail("lstat " + local + ": no such file or directory", 1);
    bool src_dir = S_ISDIR(st.st_mode);
    std::string root = source_root(local);
    if (dst_stat && dst_stat->is_dir()) {
      put_dir = dst_path;
      name = root;
    } else if (dst_stat) {
      if (src_dir) fail("cannot copy a directory to a file: " + dst.container + ":" + dst.path, 1);
      put_dir = dir_of(dst_path, true);
      name = base_of(dst_path);
    } else {
      if (ends_with(dst.path, "/") && !src_dir)
        fail("destination directory " + dst.container + ":" + dst.path + " does not exist", 1);
      put_dir = dir_of(dst_path, true);
      name = base_of(dst_path);
    }
    // The local side: the parent directory and the entry in it (-L resolves a link given as SRC).
    std::string parent, entry;
    if (root == ".") {
      parent = local;
      entry = ".";
    } else {
      if (o.follow_link && S_ISLNK([&] { struct stat l{}; ::lstat(local.c_str(), &l); return l.st_mode; }())) {
        char real[PATH_MAX];
        if (::realpath(local.c_str(), real)) local = real;
      }
      parent = dir_of(local, !local.empty() && local[0] == '/');
      entry = base_of(local);
    }
    UniqueFd pfd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pfd) fail("open " + parent + ": no such directory", 1);
    auto made = engine::container::write_tree_tar(pfd.get(), entry, name, [&](std::string_view d) {
      tar.append(d);
      return true;
    });
    if (!made) fail(made.error().str(), 1);
  }
  HttpResponse r = check(api.request("PUT", archive_url(dst.container, put_dir) + "&noOverwriteDirNonDir=true" + query,
                                     tar, "application/x-tar"));
  if (!r.ok()) fail_response(r, 1);
  report(o, tar.size(), dst.container + ":" + dst.path);
}

}  // namespace

void copy_paths(const ApiClient& api, const CopyEndpoint& src, const CopyEndpoint& dst, const CopyOptions& opts) {
  if (auto ok = check_copy_args(src, dst); !ok) fail(ok.error().message, 1);
  if (!src.container.empty()) return copy_from_container(api, src, dst, opts);
  copy_to_container(api, src, dst, opts);
}

}  // namespace cli
