#include "engine/build/add_source.h"

#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <memory>

#include "engine/base/unique_fd.h"
#include "engine/image/registry/http.h"
#include "engine/image/unpack.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace registry = engine::image::registry;
namespace {

/// Moves the tree at src into dst, merging directories; src is consumed.
base::Status merge_move(const fs::path& src, const fs::path& dst) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(src, ec)) {
    fs::path target = dst / e.path().filename();
    auto ts = fs::symlink_status(target, ec);
    if (fs::exists(ts)) {
      if (e.is_directory() && !e.is_symlink() && fs::is_directory(ts)) {
        BERTH_TRY(merge_move(e.path(), target));
        continue;
      }
      fs::remove_all(target, ec);
    }
    fs::rename(e.path(), target, ec);
    if (ec) return base::internal("move " + e.path().string() + ": " + ec.message());
  }
  return {};
}

}  // namespace

bool is_archive(const std::string& path) {
  if (!fs::is_regular_file(fs::symlink_status(path))) return false;
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 16384) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  return archive_read_next_header(a.get(), &e) == ARCHIVE_OK;
}

base::Status unpack_archive(const std::string& path, const std::string& dir_in) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::sys_error("open " + path);
  std::string dir = dir_in;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string tmp = dir + ".unpack-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  fs::create_directories(dir, ec);
  if (ec) return base::internal("create " + dir + ": " + ec.message());
  image::UnpackOptions uo;
  uo.convert_whiteouts = false;
  uo.hash_compressed = false;
  auto r = image::unpack_layer(fd.get(), tmp, uo);
  base::Status moved = r ? merge_move(tmp, dir) : base::Status(r.error());
  fs::remove_all(tmp, ec);
  if (!moved.ok()) return moved.take_error().wrap("unpack " + fs::path(path).filename().string());
  return {};
}

bool is_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

std::string url_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  size_t slash = url.find('/');
  if (slash == std::string_view::npos) return "";
  url.remove_prefix(slash);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url.substr(url.rfind('/') + 1));
}

base::Result<int64_t> parse_http_date(std::string_view s) {
  struct tm tm {};
  std::string str(s);
  const char* end = ::strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return base::invalid("bad HTTP date \"" + str + "\"");
  return static_cast<int64_t>(::timegm(&tm));
}

base::Status download(const std::string& url, const std::string& path) {
  auto u = registry::parse_url(url, registry::Endpoint{});
  if (!u) return u.take_error();
  for (int hop = 0; hop <= 10; ++hop) {
    registry::HttpClient client(u->endpoint);
    base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return base::sys_error("create " + path);
    auto res = client.send({"GET", u->target, {}, {}, {}}, [&](const char* p, size_t n) -> base::Status {
      while (n > 0) {
        ssize_t w = ::write(fd.get(), p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return base::sys_error("write " + path);
        p += w;
        n -= static_cast<size_t>(w);
      }
      return {};
    });
    if (!res) return res.take_error();
    if (res->status >= 300 && res->status < 400 && !res->header("location").empty()) {
      auto next = registry::parse_url(res->header("location"), u->endpoint);
      if (!next) return next.take_error();
      u = std::move(next);
      continue;
    }
    if (res->status < 200 || res->status >= 300)
      return base::make_error(base::Code::Unavailable,
                              "download " + url + ": HTTP " + std::to_string(res->status));
    ::fchmod(fd.get(), 0600);
    if (auto t = parse_http_date(res->header("last-modified"))) {
      const struct timespec times[2] = {{*t, 0}, {*t, 0}};
      ::futimens(fd.get(), times);
    }
    return {};
  }
  return base::make_error(base::Code::Unavailable, "download " + url + ": too many redirects");
}

}  // namespace engine::build
