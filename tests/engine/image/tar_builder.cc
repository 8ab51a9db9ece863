#include "tests/engine/image/tar_builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <stdexcept>

#include "tests/support/test_util.h"

namespace test {

struct TarBuilder::Impl {
  archive* a = nullptr;
  std::string out;
  bool done = false;
};

static la_ssize_t append_cb(archive*, void* data, const void* buf, size_t n) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

TarBuilder::TarBuilder(std::string compression) : impl_(new Impl) {
  impl_->a = archive_write_new();
  archive_write_set_format_pax_restricted(impl_->a);
  if (compression == "gzip") archive_write_add_filter_gzip(impl_->a);
  if (compression == "zstd") archive_write_add_filter_zstd(impl_->a);
  archive_write_set_bytes_in_last_block(impl_->a, 1);
  if (archive_write_open(impl_->a, &impl_->out, nullptr, append_cb, nullptr) != ARCHIVE_OK)
    throw std::runtime_error("tar builder: open");
}

TarBuilder::~TarBuilder() {
  archive_write_free(impl_->a);
  delete impl_;
}

static void add(archive* a, const std::string& path, unsigned type, unsigned mode, const std::string& data,
                const char* symlink, const char* hardlink, dev_t rdev = 0) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, path.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, mode);
  archive_entry_set_mtime(e, 1700000000, 0);
  archive_entry_set_size(e, type == AE_IFREG && !hardlink ? static_cast<la_int64_t>(data.size()) : 0);
  if (symlink) archive_entry_set_symlink(e, symlink);
  if (hardlink) archive_entry_set_hardlink(e, hardlink);
  if (rdev) archive_entry_set_rdev(e, rdev);
  if (archive_write_header(a, e) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "?";
    archive_entry_free(e);
    throw std::runtime_error("tar builder: header " + path + ": " + err);
  }
  if (!data.empty()) archive_write_data(a, data.data(), data.size());
  archive_entry_free(e);
}

TarBuilder& TarBuilder::file(const std::string& p, const std::string& d, unsigned mode) {
  add(impl_->a, p, AE_IFREG, mode, d, nullptr, nullptr);
  return *this;
}
TarBuilder& TarBuilder::dir(const std::string& p, unsigned mode) {
  add(impl_->a, p, AE_IFDIR, mode, "", nullptr, nullptr);
  return *this;
}
TarBuilder& TarBuilder::symlink(const std::string& p, const std::string& t) {
  add(impl_->a, p, AE_IFLNK, 0777, "", t.c_str(), nullptr);
  return *this;
}
TarBuilder& TarBuilder::hardlink(const std::string& p, const std::string& t) {
  add(impl_->a, p, AE_IFREG, 0644, "", nullptr, t.c_str());
  return *this;
}
TarBuilder& TarBuilder::device(const std::string& p, bool block, unsigned major, unsigned minor) {
  add(impl_->a, p, block ? AE_IFBLK : AE_IFCHR, 0600, "", nullptr, nullptr, makedev(major, minor));
  return *this;
}
TarBuilder& TarBuilder::fifo(const std::string& p) {
  add(impl_->a, p, AE_IFIFO, 0644, "", nullptr, nullptr);
  return *this;
}

std::string TarBuilder::finish() {
  if (!impl_->done) {
    archive_write_close(impl_->a);
    impl_->done = true;
  }
  return impl_->out;
}

void TarBuilder::write_to(const std::string& path) { write_text(path, finish()); }

}  // namespace test
