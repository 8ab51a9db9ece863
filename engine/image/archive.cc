#include "engine/image/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "engine/image/safe_fs.h"

namespace engine::image {

using base::Result;
using base::Status;
using base::UniqueFd;
using nlohmann::json;

Result<UniqueFd> open_archive_file(const std::string& dir, const std::string& rel) {
  auto parts = clean_archive_path(rel);
  if (!parts || parts->empty()) return base::invalid("archive: bad path \"" + rel + "\"");
  UniqueFd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return base::sys_error("open " + dir);
  UniqueFd fd(openat_beneath(root.get(), join_path(*parts), O_RDONLY));
  if (!fd) {
    if (errno == ENOENT) return base::not_found("archive: " + rel + " not found");
    if (errno == EXDEV || errno == ELOOP) return base::invalid("archive: " + rel + " resolves outside the archive");
    return base::sys_error("archive: open " + rel);
  }
  return fd;
}

Result<std::string> read_archive_file(const std::string& dir, const std::string& rel) {
  auto fd = open_archive_file(dir, rel);
  if (!fd) return fd.take_error();
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::sys_error("archive: read " + rel);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

std::string blob_path(const Digest& d) { return "blobs/sha256/" + d.hex; }

Result<std::vector<ArchiveImage>> read_docker_manifest(const std::string& dir, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return base::invalid("archive: manifest.json is not a JSON array");
  std::vector<ArchiveImage> out;
  for (const json& e : j) {
    ArchiveImage img;
    img.config_path = e.value("Config", "");
    if (img.config_path.empty()) return base::invalid("archive: manifest.json entry without Config");
    img.layer_paths = e.value("Layers", std::vector<std::string>{});
    for (const std::string& t : e.value("RepoTags", std::vector<std::string>{})) {
      auto r = parse_reference(t);
      if (!r) return r.take_error().wrap("archive: manifest.json RepoTags");
      img.tags.push_back(r->tagged());
    }
    out.push_back(std::move(img));
  }
  (void)dir;
  return out;
}

// Walks an OCI index (recursing into nested indexes, choosing linux/amd64) to image manifests.
Status walk_oci(const std::string& dir, const Descriptor& d, const std::string& name, int depth,
                std::vector<ArchiveImage>& out) {
  if (depth > 4) return base::invalid("archive: indexes nested too deeply");
  auto text = read_archive_file(dir, blob_path(d.digest));
  if (!text) return text.take_error();
  if (sha256_of(*text) != d.digest) return base::invalid("archive: " + blob_path(d.digest) + ": digest mismatch");
  std::string mt = d.media_type.empty() ? detect_media_type(*text) : d.media_type;
  if (is_index_type(mt)) {
    auto idx = parse_index(*text);
    if (!idx) return idx.take_error();
    auto pick = select_platform(*idx, Platform{});
    if (!pick) {
      if (idx->manifests.size() != 1) return pick.take_error();
      pick = idx->manifests.front();
    }
    return walk_oci(dir, *pick, name, depth + 1, out);
  }
  auto m = parse_manifest(*text);
  if (!m) return m.take_error();
  ArchiveImage img;
  img.config_path = blob_path(m->config.digest);
  for (const Descriptor& l : m->layers) img.layer_paths.push_back(blob_path(l.digest));
  if (!name.empty()) img.tags.push_back(name);
  out.push_back(std::move(img));
  return {};
}

}  // namespace

Result<std::vector<ArchiveImage>> read_archive_index(const std::string& dir) {
  auto manifest = read_archive_file(dir, "manifest.json");
  if (manifest) return read_docker_manifest(dir, *manifest);
  if (manifest.error().code != base::Code::NotFound) return manifest.take_error();
  auto index = read_archive_file(dir, "index.json");
  if (!index) {
    if (index.error().code == base::Code::NotFound)
      return base::invalid("archive: neither manifest.json nor index.json found (not an image archive)");
    return index.take_error();
  }
  auto idx = parse_index(*index);
  if (!idx) return idx.take_error().wrap("archive: index.json");
  std::vector<ArchiveImage> out;
  for (const Descriptor& d : idx->manifests) {
    std::string name;
    auto a = d.annotations.find("io.containerd.image.name");
    if (a == d.annotations.end()) a = d.annotations.find("org.opencontainers.image.ref.name");
    if (a != d.annotations.end()) {
      // A bare tag ("latest") names no repository: the image is loaded untagged.
      if (a->second.find('/') != std::string::npos || a->second.find(':') != std::string::npos)
        if (auto r = parse_reference(a->second)) name = r->tagged();
    }
    BERTH_TRY(walk_oci(dir, d, name, 0, out));
  }
  return out;
}

namespace {

struct WriterFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

class TarOut {
 public:
  explicit TarOut(int fd) : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    ok_ = archive_write_open_fd(a_.get(), fd) == ARCHIVE_OK;
  }
  Status header(const std::string& path, unsigned type, uint64_t size) {
    if (!ok_) return base::invalid(std::string("save: ") + archive_error_string(a_.get()));
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK)
      return base::invalid("save: write " + path + ": " + archive_error_string(a_.get()));
    return {};
  }
  Status data(const std::string& path, const char* p, size_t n) {
    if (archive_write_data(a_.get(), p, n) < 0)
      return base::sys_error("save: write " + path + ": " + archive_error_string(a_.get()), archive_errno(a_.get()));
    return {};
  }
  Status text(const std::string& path, const std::string& s) {
    BERTH_TRY(header(path, AE_IFREG, s.size()));
    return data(path, s.data(), s.size());
  }
  Status close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return base::invalid(std::string("save: ") + archive_error_string(a_.get()));
    return {};
  }

 private:
  std::unique_ptr<archive, WriterFree> a_;
  bool ok_ = false;
};

Status copy_blob(TarOut& out, const BlobStore& blobs, const Digest& d) {
  auto fd = blobs.open_blob(d);
  if (!fd) return fd.take_error().wrap("save");
  auto size = blobs.size(d);
  if (!size) return size.take_error();
  std::string path = blob_path(d);
  BERTH_TRY(out.header(path, AE_IFREG, *size));
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(fd->get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::sys_error("save: read " + blobs.path(d));
    if (n == 0) break;
    BERTH_TRY(out.data(path, buf.data(), static_cast<size_t>(n)));
  }
  return {};
}

}  // namespace

Status write_archive(int out_fd, const std::vector<SaveImage>& images, const BlobStore& blobs) {
  std::map<std::string, std::string> extra;  // generated blobs (OCI manifests) by hex
  std::set<std::string> written;
  json docker_manifest = json::array();
  json index = json::array();
  for (const SaveImage& img : images) {
    Manifest m;
    m.media_type = std::string(media::kOciManifest);
    auto csize = blobs.size(img.config);
    if (!csize) return csize.take_error().wrap("save: config");
    m.config = Descriptor{std::string(media::kOciConfig), img.config, *csize, {}, {}};
    json layers = json::array();
    for (const LayerBlob& l : img.layers) {
      m.layers.push_back(Descriptor{layer_media_type(compression_of(l.media_type), true), l.digest, l.size, {}, {}});
      layers.push_back(blob_path(l.digest));
    }
    std::string mtext = manifest_to_json(m);
    Digest md = sha256_of(mtext);
    extra[md.hex] = mtext;
    json tags = json::array();
    for (const std::string& t : img.tags) {
      auto r = parse_reference(t);
      if (!r) return r.take_error();
      tags.push_back(r->familiar_str());
      Descriptor d{std::string(media::kOciManifest), md, mtext.size(), {}, {}};
      d.annotations["io.containerd.image.name"] = r->str();
      d.annotations["org.opencontainers.image.ref.name"] = r->tag;
      index.push_back(json::parse(index_to_json(Index{"", {d}}))["manifests"][0]);
    }
    if (img.tags.empty())
      index.push_back({{"mediaType", media::kOciManifest}, {"digest", md.str()}, {"size", mtext.size()}});
    docker_manifest.push_back({{"Config", blob_path(img.config)}, {"RepoTags", tags}, {"Layers", layers}});
  }
  TarOut out(out_fd);
  BERTH_TRY(out.header("blobs", AE_IFDIR, 0));
  BERTH_TRY(out.header("blobs/sha256", AE_IFDIR, 0));
  for (const SaveImage& img : images) {
    std::vector<Digest> ds{img.config};
    for (const LayerBlob& l : img.layers) ds.push_back(l.digest);
    for (const Digest& d : ds) {
      if (!written.insert(d.hex).second) continue;
      BERTH_TRY(copy_blob(out, blobs, d));
    }
  }
  for (const auto& [hex, text] : extra)
    if (written.insert(hex).second) BERTH_TRY(out.text("blobs/sha256/" + hex, text));
  json idx = {{"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", index}};
  BERTH_TRY(out.text("index.json", idx.dump()));
  BERTH_TRY(out.text("manifest.json", docker_manifest.dump()));
  BERTH_TRY(out.text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  return out.close();
}

}  // namespace engine::image
