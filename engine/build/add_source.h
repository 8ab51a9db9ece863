#pragma once
/// What ADD does beyond COPY: local tar archives (plain, gzip, bzip2, xz, zstd) are
/// unpacked into the destination with the layer unpacker's checks (no entry may land
/// outside it), and http(s) URLs are downloaded (never unpacked), with the file's mtime
/// taken from Last-Modified.
#include <string>
#include <string_view>

#include "engine/base/error.h"

namespace engine::build {

/// True when path is a regular file that reads as a (possibly compressed) tar archive.
bool is_archive(const std::string& path);

/// Unpacks the archive at path into dir (created if missing, merged with what is there).
base::Status unpack_archive(const std::string& path, const std::string& dir);

/// True for http:// and https:// sources.
bool is_url(std::string_view s);

/// The file name ADD gives a download: the URL path's last segment (query dropped).
std::string url_file_name(std::string_view url);

/// Downloads url to path (mode 0600), following up to 10 redirects; the file's mtime is
/// the Last-Modified time when the server sends one.
base::Status download(const std::string& url, const std::string& path);

/// Parses an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT") into seconds since the epoch.
base::Result<int64_t> parse_http_date(std::string_view s);

}  // namespace engine::build
