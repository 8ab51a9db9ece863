#include "engine/image/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "engine/base/fs.h"

namespace engine::image {

using base::Result;
using base::Status;
using base::UniqueFd;

BlobWriter::BlobWriter(const BlobStore* store, std::string tmp, UniqueFd fd)
    : store_(store), tmp_(std::move(tmp)), fd_(std::move(fd)) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : store_(o.store_),
      tmp_(std::move(o.tmp_)),
      fd_(std::move(o.fd_)),
      hash_(std::move(o.hash_)),
      size_(o.size_),
      flushed_(o.flushed_),
      digest_(std::move(o.digest_)),
      done_(o.done_) {
  o.done_ = true;
}

BlobWriter::~BlobWriter() {
  if (!done_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

Status BlobWriter::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  hash_.update(p, n);
  size_ += n;
  while (n > 0) {
    ssize_t w = ::write(fd_.get(), p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return base::sys_error("write " + tmp_);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  // Start writeback while the download goes on, so the fsync in commit() has little left.
  constexpr uint64_t kFlushStep = 8 << 20;
  if (size_ - flushed_ >= kFlushStep) {
    ::sync_file_range(fd_.get(), static_cast<off64_t>(flushed_), static_cast<off64_t>(size_ - flushed_),
                      SYNC_FILE_RANGE_WRITE);
    flushed_ = size_;
  }
  return {};
}

Result<Digest> BlobWriter::finish(const std::optional<Digest>& expected) {
  if (digest_) return *digest_;
  Digest got = hash_.finish();
  if (expected && *expected != got) {
    return base::invalid("digest mismatch: expected " + expected->str() + ", got " + got.str());
  }
  digest_ = got;
  return got;
}

Status BlobWriter::publish() {
  if (!digest_) return base::internal("publish of an unfinished blob " + tmp_);
  fd_.reset();
  std::string dst = store_->path(*digest_);
  if (::rename(tmp_.c_str(), dst.c_str()) != 0) return base::sys_error("rename " + tmp_ + " to " + dst);
  done_ = true;
  return {};
}

Result<Digest> BlobWriter::commit(const std::optional<Digest>& expected) {
  auto got = finish(expected);
  if (!got) return got;
  if (::fsync(fd_.get()) != 0) return base::sys_error("fsync " + tmp_);
  BERTH_TRY(publish());
  return got;
}

Result<BlobStore> BlobStore::open(const std::string& root) {
  std::string dir = root + "/blobs";
  BERTH_TRY(base::make_dirs(dir + "/sha256", 0700));
  BERTH_TRY(base::make_dirs(dir + "/tmp", 0700));
  // Blobs whose download or commit a crash interrupted were never visible; drop them now.
  if (DIR* d = ::opendir((dir + "/tmp").c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string_view(e->d_name).starts_with("blob-")) ::unlinkat(::dirfd(d), e->d_name, 0);
    ::closedir(d);
  }
  return BlobStore(dir);
}

bool BlobStore::has(const Digest& d) const {
  struct stat st {};
  return ::stat(path(d).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<uint64_t> BlobStore::size(const Digest& d) const {
  struct stat st {};
  if (::stat(path(d).c_str(), &st) != 0) {
    if (errno == ENOENT) return base::not_found("blob " + d.str() + " not found");
    return base::sys_error("stat " + path(d));
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<UniqueFd> BlobStore::open_blob(const Digest& d) const {
  UniqueFd fd(::open(path(d).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return base::not_found("blob " + d.str() + " not found");
    return base::sys_error("open " + path(d));
  }
  return fd;
}

Result<std::string> BlobStore::read(const Digest& d) const {
  if (!has(d)) return base::not_found("blob " + d.str() + " not found");
  return base::read_file(path(d));
}

Result<BlobWriter> BlobStore::writer() const {
  std::string tmpl = tmp_dir() + "/blob-XXXXXX";
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return base::sys_error("create temporary blob in " + tmp_dir());
  ::fchmod(fd, 0600);
  return BlobWriter(this, tmpl, UniqueFd(fd));
}

Result<Digest> BlobStore::put(std::string_view data) const {
  Digest d = sha256_of(data);
  if (has(d)) return d;
  auto w = writer();
  if (!w) return w.take_error();
  BERTH_TRY(w->write(data));
  return w->commit(d);
}

Result<Digest> BlobStore::put_file(const std::string& src) const {
  UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return base::sys_error("open " + src);
  return put_fd(in.get());
}

Result<Digest> BlobStore::put_fd(int in, uint64_t* size) const {
  auto w = writer();
  if (!w) return w.take_error();
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::sys_error("read blob source");
    }
    if (n == 0) break;
    BERTH_TRY(w->write(buf.data(), static_cast<size_t>(n)));
  }
  if (size) *size = w->size();
  return w->commit();
}

Status BlobStore::remove(const Digest& d) const {
  if (::unlink(path(d).c_str()) != 0 && errno != ENOENT) return base::sys_error("remove " + path(d));
  return {};
}

Status BlobStore::sync_dir() const {
  std::string dir = dir_ + "/sha256";
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return base::sys_error("fsync " + dir);
  return {};
}

std::vector<Digest> BlobStore::list() const {
  std::vector<Digest> out;
  DIR* dir = ::opendir((dir_ + "/sha256").c_str());
  if (!dir) return out;
  while (dirent* e = ::readdir(dir))
    if (is_hex64(e->d_name)) out.push_back(Digest{e->d_name});
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace engine::image
