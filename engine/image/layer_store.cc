#include "engine/image/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace engine::image {

using base::Result;
using base::Status;
using nlohmann::json;

std::string layer_media_type(const std::string& compression, bool oci) {
  if (oci) {
    if (compression == "gzip") return "application/vnd.oci.image.layer.v1.tar+gzip";
    if (compression == "zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
    return "application/vnd.oci.image.layer.v1.tar";
  }
  if (compression == "gzip") return "application/vnd.docker.image.rootfs.diff.tar.gzip";
  if (compression == "zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.docker.image.rootfs.diff.tar";
}

namespace {

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

json info_json(const LayerInfo& info) {
  json j = {{"diff_id", info.diff_id.str()}, {"size", info.size}};
  if (info.blob)
    j["blob"] = {{"digest", info.blob->digest.str()},
                 {"media_type", info.blob->media_type},
                 {"size", info.blob->size}};
  return j;
}

}  // namespace

Result<LayerStore> LayerStore::open(const std::string& root) {
  std::string dir = root + "/layers";
  BERTH_TRY(base::make_dirs(dir + "/tmp", 0700));
  // Half-unpacked or half-deleted layers from a crash are never visible; drop them now.
  for (const std::string& n : dir_entries(dir + "/tmp")) (void)base::remove_all(dir + "/tmp/" + n);
  return LayerStore(dir);
}

bool LayerStore::has(const Digest& d) const {
  struct stat st {};
  return ::stat((dir_ + "/" + d.hex + "/layer.json").c_str(), &st) == 0;
}

Result<LayerInfo> LayerStore::get(const Digest& d) const {
  auto text = base::read_file(dir_ + "/" + d.hex + "/layer.json");
  if (!text) {
    if (text.error().sys_errno == ENOENT) return base::not_found("layer " + d.str() + " not found");
    return text.take_error();
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return base::internal("layer " + d.str() + ": corrupt layer.json");
  LayerInfo info;
  info.diff_id = d;
  info.size = j.value("size", uint64_t{0});
  if (auto b = j.find("blob"); b != j.end() && b->is_object()) {
    auto bd = parse_digest(b->value("digest", ""));
    if (bd) info.blob = LayerBlob{*bd, b->value("media_type", ""), b->value("size", uint64_t{0})};
  }
  return info;
}

Status LayerStore::write_info(const std::string& layer_dir, const LayerInfo& info, bool durable) const {
  if (durable) return base::write_file_atomic(layer_dir + "/layer.json", info_json(info).dump(), 0600);
  // A staged layer's file: made durable by the caller's syncfs before it is visible.
  std::string path = layer_dir + "/layer.json", text = info_json(info).dump();
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return base::sys_error("write " + path);
  return {};
}

StagedLayer::~StagedLayer() {
  if (!tmp_.empty()) (void)base::remove_all(tmp_);
}

Result<LayerInfo> LayerStore::create(int fd, const std::optional<Digest>& expected,
                                     const std::optional<LayerBlob>& blob, const UnpackOptions& opts) {
  return create(chunks_of(fd_reader(fd)), expected, blob, opts);
}

Result<LayerInfo> LayerStore::create(const ChunkFn& next, const std::optional<Digest>& expected,
                                     const std::optional<LayerBlob>& blob, const UnpackOptions& opts) {
  auto staged = stage(next, expected, blob, opts);
  if (!staged) return staged.take_error();
  BERTH_TRY(sync_filesystem());
  auto info = commit(std::move(*staged));
  if (!info) return info;
  BERTH_TRY(sync_dir());
  return info;
}

Result<StagedLayer> LayerStore::stage(const ChunkFn& next, const std::optional<Digest>& expected,
                                      const std::optional<LayerBlob>& blob, const UnpackOptions& opts) {
  std::string tmp = dir_ + "/tmp/unpack-" + base::random_hex(16);
  BERTH_TRY(base::make_dirs(tmp + "/diff", 0700));
  StagedLayer staged(LayerInfo{}, tmp);  // removes tmp on every early return
  if (::chmod((tmp + "/diff").c_str(), 0755) != 0) return base::sys_error("chmod " + tmp + "/diff");
  auto r = unpack_layer(next, tmp + "/diff", opts);
  if (!r) return r.take_error();
  if (expected && r->diff_id != *expected)
    return base::invalid("layer diff ID mismatch: expected " + expected->str() + ", got " + r->diff_id.str());
  if (blob && opts.hash_compressed && r->compressed_digest != blob->digest)
    return base::invalid("layer blob digest mismatch: expected " + blob->digest.str() + ", got " +
                         r->compressed_digest.str());
  staged.info = LayerInfo{r->diff_id, r->size, blob};
  if (staged.info.blob && staged.info.blob->media_type.empty())
    staged.info.blob->media_type = layer_media_type(r->compression, false);
  BERTH_TRY(write_info(tmp, staged.info, false));
  return staged;
}

Result<LayerInfo> LayerStore::commit(StagedLayer&& staged) {
  StagedLayer s(std::move(staged));
  const LayerInfo& info = s.info;
  if (has(info.diff_id)) {
    if (info.blob) (void)set_blob(info.diff_id, *info.blob);
    return get(info.diff_id);
  }
  std::string dst = dir_ + "/" + info.diff_id.hex;
  if (::rename(s.tmp_.c_str(), dst.c_str()) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) return get(info.diff_id);  // another unpack won
    return base::sys_error("rename " + s.tmp_ + " to " + dst);
  }
  s.tmp_.clear();
  return info;
}

Status LayerStore::sync_filesystem() const {
  base::UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::syncfs(fd.get()) != 0) return base::sys_error("syncfs " + dir_);
  return {};
}

Status LayerStore::sync_dir() const {
  base::UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return base::sys_error("fsync " + dir_);
  return {};
}

Status LayerStore::set_blob(const Digest& diff_id, const LayerBlob& blob) {
  auto info = get(diff_id);
  if (!info) return info.take_error();
  if (info->blob) return {};
  info->blob = blob;
  return write_info(dir_ + "/" + diff_id.hex, *info);
}

Status LayerStore::remove(const Digest& d) {
  std::string src = dir_ + "/" + d.hex;
  std::string dst = dir_ + "/tmp/remove-" + base::random_hex(16);
  if (::rename(src.c_str(), dst.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return base::sys_error("rename " + src);
  }
  return base::remove_all(dst);
}

std::vector<Digest> LayerStore::list() const {
  std::vector<Digest> out;
  for (const std::string& n : dir_entries(dir_))
    if (is_hex64(n) && has(Digest{n})) out.push_back(Digest{n});
  return out;
}

}  // namespace engine::image
