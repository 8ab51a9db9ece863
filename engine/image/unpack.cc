#include "engine/image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <linux/openat2.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"
#include "engine/image/chunk_queue.h"
#include "engine/image/safe_fs.h"

namespace engine::image {

using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

constexpr size_t kBufSize = 1 << 20;
constexpr la_int64_t kWritebackMin = 1 << 20;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// Two stacked readers: `outer` decompresses the fd (hashing the compressed bytes) and
// `inner` parses tar from outer's output (hashing the uncompressed bytes). One pass.
// Neither level copies: libarchive reads the source's chunks in place, and the tar reader
// takes the decompressor's output blocks in place.
struct Stream {
  ChunkFn next;
  std::optional<base::Error> read_error;
  Sha256 compressed;
  Sha256 uncompressed;
  uint64_t csize = 0;
  uint64_t usize = 0;
  bool hash_compressed = true;
  ArchivePtr outer;
  ArchivePtr inner;
  std::function<void(uint64_t)> on_progress;
  // With an inflate thread: it reads `outer` (and the source) to the end and queues the
  // decompressed blocks for `inner`. Declared last: stopped before the archives are freed.
  std::unique_ptr<ChunkQueue> inflated;
  std::optional<base::Error> inflate_error;  ///< set by the thread, read after join
  std::thread inflater;

  /// Stops the inflate thread (if any); its errors are readable afterwards.
  void stop_inflater() {
    if (!inflater.joinable()) return;
    inflated->close_reader();
    inflater.join();
  }
  ~Stream() { stop_inflater(); }
};

la_ssize_t read_fd(archive*, void* data, const void** buf) {
  auto* s = static_cast<Stream*>(data);
  auto r = s->next();
  if (!r) {
    s->read_error = r.take_error();
    return -1;
  }
  size_t n = r->size();
  if (s->hash_compressed) s->compressed.update(r->data(), n);
  s->csize += n;
  if (s->on_progress && n > 0) s->on_progress(s->csize);
  *buf = r->data();
  return static_cast<la_ssize_t>(n);
}

la_ssize_t read_outer(archive*, void* data, const void** buf) {
  auto* s = static_cast<Stream*>(data);
  const void* block = nullptr;
  size_t n = 0;
  la_int64_t offset = 0;
  int r = archive_read_data_block(s->outer.get(), &block, &n, &offset);
  if (r == ARCHIVE_EOF) return 0;
  if (r < ARCHIVE_WARN) return -1;
  s->uncompressed.update(block, n);
  s->usize += n;
  *buf = block;
  return static_cast<la_ssize_t>(n);
}

la_ssize_t read_inflated(archive*, void* data, const void** buf) {
  auto* s = static_cast<Stream*>(data);
  std::string_view v = s->inflated->next();
  s->uncompressed.update(v.data(), v.size());
  s->usize += v.size();
  *buf = v.data();
  return static_cast<la_ssize_t>(v.size());
}

// The inflate thread: every decompressed block into the queue, then the rest of the
// source (so the compressed digest covers every byte), stopping early once the reader is gone.
void inflate_all(Stream* s) {
  for (;;) {
    const void* block = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(s->outer.get(), &block, &n, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (!s->read_error) {
        const char* msg = archive_error_string(s->outer.get());
        s->inflate_error = base::invalid(std::string("read layer: ") + (msg ? msg : "unknown error"));
      }
      s->inflated->close_writer();
      return;
    }
    if (!s->inflated->push(static_cast<const char*>(block), n)) return;
  }
  const void* b;
  while (true) {
    la_ssize_t n = read_fd(nullptr, s, &b);
    if (n < 0) {
      if (!s->read_error) s->inflate_error = base::invalid("read layer: unknown error");
      break;
    }
    if (n == 0) break;
  }
  s->inflated->close_writer();
}

std::string compression_name(archive* a) {
  int code = archive_filter_code(a, 0);
  switch (code) {
    case ARCHIVE_FILTER_GZIP: return "gzip";
    case ARCHIVE_FILTER_ZSTD: return "zstd";
    case ARCHIVE_FILTER_XZ: return "xz";
    case ARCHIVE_FILTER_BZIP2: return "bzip2";
    default: return "none";
  }
}

base::Error read_failure(Stream& s, archive* a) {
  s.stop_inflater();
  if (s.read_error) return *s.read_error;
  if (s.inflate_error) return *s.inflate_error;
  const char* msg = archive_error_string(a);
  return base::invalid(std::string("read layer: ") + (msg ? msg : "unknown error"));
}

Result<std::unique_ptr<Stream>> open_stream(const ChunkFn& next, const UnpackOptions& opts) {
  auto s = std::make_unique<Stream>();
  s->next = next;
  s->on_progress = opts.on_progress;
  s->hash_compressed = opts.hash_compressed;
  s->outer.reset(archive_read_new());
  archive* o = s->outer.get();
  archive_read_support_filter_gzip(o);
  archive_read_support_filter_zstd(o);
  archive_read_support_filter_xz(o);
  archive_read_support_filter_bzip2(o);
  archive_read_support_format_raw(o);
  archive_read_support_format_empty(o);
  if (archive_read_open(o, s.get(), nullptr, read_fd, nullptr) != ARCHIVE_OK) return read_failure(*s, o);
  archive_entry* e = nullptr;
  int r = archive_read_next_header(o, &e);
  if (r == ARCHIVE_EOF) return s;  // empty stream
  if (r < ARCHIVE_WARN) return read_failure(*s, o);
  s->inner.reset(archive_read_new());
  archive_read_support_format_tar(s->inner.get());
  archive_read_callback* inner_read = read_outer;
  if (opts.inflate_thread && archive_filter_code(o, 0) != ARCHIVE_FILTER_NONE) {
    s->inflated = std::make_unique<ChunkQueue>(4 << 20);
    s->inflater = std::thread(inflate_all, s.get());
    inner_read = read_inflated;
  }
  if (archive_read_open(s->inner.get(), s.get(), nullptr, inner_read, nullptr) != ARCHIVE_OK)
    return read_failure(*s, s->inner.get());
  return s;
}

// Reads what follows the tar end marker so the digests cover every byte.
Status drain(Stream& s, UnpackResult& out) {
  const void* b;
  if (s.inflated) {
    while (read_inflated(nullptr, &s, &b) > 0) {
    }
    s.stop_inflater();  // it has read the source to its end
    if (s.read_error) return *s.read_error;
    if (s.inflate_error) return *s.inflate_error;
  } else {
    if (s.inner) {
      while (true) {
        la_ssize_t n = read_outer(nullptr, &s, &b);
        if (n < 0) return read_failure(s, s.outer.get());
        if (n == 0) break;
      }
    }
    while (true) {
      la_ssize_t n = read_fd(nullptr, &s, &b);
      if (n < 0) return read_failure(s, s.outer.get());
      if (n == 0) break;
    }
  }
  out.compression = compression_name(s.outer.get());
  out.diff_id = s.uncompressed.finish();
  out.size = s.usize;
  if (s.hash_compressed) out.compressed_digest = s.compressed.finish();
  out.compressed_size = s.csize;
  return {};
}

// A directory whose mode and times are applied after its children are written.
struct DirMeta {
  std::vector<std::string> path;
  mode_t mode;
  timespec mtime;
};

class Extractor {
 public:
  Extractor(int root_fd, const UnpackOptions& opts) : root_(root_fd), opts_(opts) {
    do_chown_ = opts.chown && ::geteuid() == 0;
  }
  Status entry(archive* a, archive_entry* e);
  Status finish();

 private:
  Status write_entry(archive* a, archive_entry* e, const std::vector<std::string>& parts, int parent);
  Status write_data(archive* a, int fd, const std::string& name);
  Status apply_meta(archive_entry* e, int fd, int parent, const std::string& name, bool is_link);
  int root_;
  const UnpackOptions& opts_;
  bool do_chown_;
  std::vector<DirMeta> dirs_;
};

Status Extractor::entry(archive* a, archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (!raw) return base::invalid("entry with an unreadable path name");
  auto parts = clean_archive_path(raw);
  if (!parts) return parts.take_error().wrap("entry \"" + std::string(raw) + "\"");
  Status s = [&]() -> Status {
    if (parts->empty()) {  // "./": the layer root itself
      if (archive_entry_filetype(e) == AE_IFDIR)
        dirs_.push_back({{}, static_cast<mode_t>(archive_entry_perm(e)), {archive_entry_mtime(e), 0}});
      return {};
    }
    std::vector<std::string> parent_parts(parts->begin(), parts->end() - 1);
    auto parent = open_dir_beneath(root_, parent_parts, true);
    if (!parent) return parent.take_error();
    return write_entry(a, e, *parts, parent->get());
  }();
  if (!s.ok()) return s.take_error().wrap("entry \"" + std::string(raw) + "\"");
  return {};
}

Status Extractor::write_entry(archive* a, archive_entry* e, const std::vector<std::string>& parts, int parent) {
  const std::string& name = parts.back();
  std::string_view nv = name;
  if (opts_.convert_whiteouts && base::starts_with(nv, kWhiteoutPrefix)) {
    if (nv == kOpaqueMarker) {
      UniqueFd dir(::openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir || ::fsetxattr(dir.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
        return base::sys_error("mark directory opaque");
      return {};
    }
    std::string target(nv.substr(kWhiteoutPrefix.size()));
    if (target.empty() || target == "." || target == "..") return base::invalid("invalid whiteout");
    BERTH_TRY(remove_at(parent, target));
    if (::mknodat(parent, target.c_str(), S_IFCHR | 0, ::makedev(0, 0)) != 0)
      return base::sys_error("create whiteout " + target);
    return {};
  }
  const auto type = archive_entry_filetype(e);
  if (type == AE_IFCHR || type == AE_IFBLK) return base::invalid("device nodes are not allowed in a layer");
  if (type == AE_IFSOCK) return {};
  struct stat st {};
  bool exists = ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && !(type == AE_IFDIR && S_ISDIR(st.st_mode))) BERTH_TRY(remove_at(parent, name));
  if (const char* link = archive_entry_hardlink(e)) {
    auto target = clean_archive_path(link);
    if (!target || target->empty()) return base::invalid("hard link target \"" + std::string(link) + "\" is outside the layer");
    std::vector<std::string> tparent(target->begin(), target->end() - 1);
    auto tdir = open_dir_beneath(root_, tparent, false);
    if (!tdir) return tdir.take_error().wrap("hard link target \"" + std::string(link) + "\"");
    if (::linkat(tdir->get(), target->back().c_str(), parent, name.c_str(), 0) != 0)
      return base::sys_error("hard link to \"" + std::string(link) + "\"");
    return {};
  }
  switch (type) {
    case AE_IFDIR: {
      if (!exists && ::mkdirat(parent, name.c_str(), 0700) != 0) return base::sys_error("mkdir");
      UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) return base::sys_error("open directory");
      BERTH_TRY(apply_meta(e, fd.get(), parent, name, false));
      dirs_.push_back({parts, static_cast<mode_t>(archive_entry_perm(e)),
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}});
      return {};
    }
    case AE_IFREG: {
      UniqueFd fd(::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd) return base::sys_error("create file");
      BERTH_TRY(write_data(a, fd.get(), name));
      const la_int64_t size = archive_entry_size(e);
      if (::ftruncate(fd.get(), size) != 0) return base::sys_error("truncate");
      // Start writeback now, so the syncfs that makes the layer durable has little left.
      if (size >= kWritebackMin) ::sync_file_range(fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
      return apply_meta(e, fd.get(), parent, name, false);
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (!target || std::string_view(target).size() > 4096) return base::invalid("invalid symlink target");
      if (::symlinkat(target, parent, name.c_str()) != 0) return base::sys_error("create symlink");
      return apply_meta(e, -1, parent, name, true);
    }
    case AE_IFIFO: {
      if (::mknodat(parent, name.c_str(), S_IFIFO | 0600, 0) != 0) return base::sys_error("create fifo");
      return apply_meta(e, -1, parent, name, false);
    }
    default:
      return base::invalid("unsupported entry type");
  }
}

Status Extractor::write_data(archive* a, int fd, const std::string& name) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return {};
    if (r < ARCHIVE_WARN) return base::invalid(std::string("read data: ") + archive_error_string(a));
    const char* p = static_cast<const char*>(buf);
    while (size > 0) {
      ssize_t w = ::pwrite(fd, p, size, offset);
      if (w < 0) {
        if (errno == EINTR) continue;
        return base::sys_error("write " + name);
      }
      p += w;
      size -= static_cast<size_t>(w);
      offset += w;
    }
  }
}

Status Extractor::apply_meta(archive_entry* e, int fd, int parent, const std::string& name, bool is_link) {
  if (do_chown_) {
    uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
    gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
    int r = fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r != 0) return base::sys_error("chown");
  }
  if (is_link) {
    timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    ::utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    return {};
  }
  // xattrs; trusted.overlay.* from an archive could forge overlay metadata, so it is dropped.
  if (fd >= 0) {
    archive_entry_xattr_reset(e);
    const char* xname;
    const void* value;
    size_t vsize;
    while (archive_entry_xattr_next(e, &xname, &value, &vsize) == ARCHIVE_OK) {
      if (base::starts_with(xname, "trusted.overlay.")) continue;
      if (::fsetxattr(fd, xname, value, vsize, 0) != 0 && errno != EPERM && errno != ENOTSUP)
        return base::sys_error(std::string("set xattr ") + xname);
    }
  }
  if (archive_entry_filetype(e) == AE_IFDIR) return {};  // mode and times applied in finish()
  mode_t mode = static_cast<mode_t>(archive_entry_perm(e));
  if (fd >= 0) {
    if (::fchmod(fd, mode) != 0) return base::sys_error("chmod");
    timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    ::futimens(fd, ts);
  } else if (::fchmodat(parent, name.c_str(), mode, 0) != 0) {
    return base::sys_error("chmod");
  }
  return {};
}

Status Extractor::finish() {
  // Deepest first, so setting a parent's mtime is not undone by its children.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    UniqueFd fd(openat_beneath(root_, join_path(it->path), O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS));
    if (!fd) continue;  // replaced by a later entry
    if (::fchmod(fd.get(), it->mode) != 0) return base::sys_error("chmod " + join_path(it->path));
    timespec ts[2] = {it->mtime, it->mtime};
    ::futimens(fd.get(), ts);
  }
  return {};
}

}  // namespace

ReadFn fd_reader(int fd) {
  return [fd](char* buf, size_t n) -> Result<size_t> {
    for (;;) {
      ssize_t r = ::read(fd, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return base::sys_error("read layer");
    }
  };
}

Result<UnpackResult> unpack_layer(int fd, const std::string& dest, const UnpackOptions& opts) {
  return unpack_layer(fd_reader(fd), dest, opts);
}

ChunkFn chunks_of(ReadFn read) {
  auto buf = std::make_shared<std::string>(kBufSize, '\0');
  return [read = std::move(read), buf]() -> Result<std::string_view> {
    auto n = read(buf->data(), buf->size());
    if (!n) return n.take_error();
    return std::string_view(buf->data(), *n);
  };
}

Result<UnpackResult> unpack_layer(const ReadFn& read, const std::string& dest, const UnpackOptions& opts) {
  return unpack_layer(chunks_of(read), dest, opts);
}

Result<UnpackResult> unpack_layer(const ChunkFn& next, const std::string& dest, const UnpackOptions& opts) {
  UniqueFd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return base::sys_error("open " + dest);
  auto s = open_stream(next, opts);
  if (!s) return s.take_error();
  Extractor ex(root.get(), opts);
  if ((*s)->inner) {
    archive* in = (*s)->inner.get();
    for (;;) {
      archive_entry* e = nullptr;
      int r = archive_read_next_header(in, &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return read_failure(**s, in);
      Status st = ex.entry(in, e);
      if (!st.ok()) {
        (*s)->stop_inflater();
        if ((*s)->read_error) return *(*s)->read_error;
        return st.take_error();
      }
    }
  }
  BERTH_TRY(ex.finish());
  UnpackResult out;
  BERTH_TRY(drain(**s, out));
  return out;
}

Result<UnpackResult> digest_layer(int fd) {
  auto s = open_stream(chunks_of(fd_reader(fd)), UnpackOptions{});
  if (!s) return s.take_error();
  UnpackResult out;
  BERTH_TRY(drain(**s, out));
  return out;
}

}  // namespace engine::image
