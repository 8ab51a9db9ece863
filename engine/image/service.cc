#include "engine/image/service.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/base/unique_fd.h"
#include "engine/image/reference.h"

namespace engine::image {

using base::Result;
using base::Status;

ImageService::LayerPin::LayerPin(ImageService& s, std::vector<Digest> ids) : s_(s), ids_(std::move(ids)) {
  std::lock_guard lock(s_.mu_);
  for (const Digest& d : ids_) s_.pinned_.insert(d.hex);
}

ImageService::LayerPin::~LayerPin() {
  std::lock_guard lock(s_.mu_);
  for (const Digest& d : ids_) s_.pinned_.erase(s_.pinned_.find(d.hex));
}

ImageService::ImageService(std::string root, BlobStore blobs, LayerStore layers, ImageStore images)
    : root_(std::move(root)), blobs_(std::move(blobs)), layers_(std::move(layers)), images_(std::move(images)) {}

Result<std::unique_ptr<ImageService>> ImageService::open(const std::string& root) {
  BERTH_TRY(base::make_dirs(root, 0700));
  auto blobs = BlobStore::open(root);
  if (!blobs) return blobs.take_error().wrap("open image store " + root);
  auto layers = LayerStore::open(root);
  if (!layers) return layers.take_error().wrap("open image store " + root);
  auto images = ImageStore::open(root);
  if (!images) return images.take_error().wrap("open image store " + root);
  return std::unique_ptr<ImageService>(
      new ImageService(root, std::move(*blobs), std::move(*layers), std::move(*images)));
}

Result<Image> ImageService::make_image(const ImageRecord& rec) {
  auto text = blobs_.read(rec.id);
  if (!text) return text.take_error().wrap("image " + rec.id.str() + ": config");
  auto cfg = parse_image_config(*text);
  if (!cfg) return cfg.take_error().wrap("image " + rec.id.str());
  Image img;
  img.id = rec.id;
  for (const std::string& t : rec.tags) img.repo_tags.push_back(familiarize(t));
  for (const std::string& d : rec.digests) img.repo_digests.push_back(familiarize(d));
  std::sort(img.repo_tags.begin(), img.repo_tags.end());
  std::sort(img.repo_digests.begin(), img.repo_digests.end());
  img.config = std::move(*cfg);
  img.created_ns = rec.added_ns;
  if (!img.config.created.empty())
    if (auto t = base::parse_rfc3339(img.config.created)) img.created_ns = *t;
  for (const Digest& d : img.config.diff_ids)
    if (auto l = layers_.get(d)) img.size += l->size;
  return img;
}

Result<Image> ImageService::register_image(const std::string& config_json, const std::vector<std::string>& tags,
                                           const std::vector<std::string>& digests,
                                           const std::vector<Digest>& manifests) {
  auto cfg = parse_image_config(config_json);
  if (!cfg) return cfg.take_error();
  for (const Digest& d : cfg->diff_ids)
    if (!layers_.has(d)) return base::precondition("register image: layer " + d.str() + " is not stored");
  auto id = blobs_.put(config_json);
  if (!id) return id.take_error();
  std::lock_guard lock(mu_);
  ImageRecord rec;
  rec.id = *id;
  rec.tags = tags;
  rec.digests = digests;
  rec.manifests = manifests;
  rec.added_ns = base::now_ns();
  if (const ImageRecord* old = images_.find(*id)) rec.added_ns = old->added_ns;
  BERTH_TRY(images_.put(rec));
  return make_image(*images_.find(*id));
}

Result<Image> ImageService::import_rootfs(int fd, const std::string& ref, const ImportOptions& opts) {
  std::string tag;
  if (!ref.empty()) {
    auto r = parse_reference(ref);
    if (!r) return r.take_error();
    if (r->digest) return base::invalid("import: tag must not contain a digest: \"" + ref + "\"");
    tag = r->tagged();
  }
  // Keep the tarball as a blob (save/push serve it), then unpack from the stored copy.
  uint64_t blob_size = 0;
  auto blob = blobs_.put_fd(fd, &blob_size);
  if (!blob) return blob.take_error().wrap("import");
  auto in = blobs_.open_blob(*blob);
  if (!in) return in.take_error();
  auto layer = layers_.create(in->get(), std::nullopt, LayerBlob{*blob, "", blob_size});
  if (!layer) return layer.take_error().wrap("import");
  LayerPin pin(*this, {layer->diff_id});
  ImageConfig cfg;
  cfg.created = base::format_rfc3339_nano(base::now_ns());
  cfg.architecture = opts.architecture;
  cfg.os = opts.os;
  cfg.config = opts.config;
  cfg.diff_ids = {layer->diff_id};
  HistoryItem h;
  h.created = cfg.created;
  h.comment = opts.message.empty() ? "Imported from " + opts.source : opts.message;
  cfg.history = {h};
  std::vector<std::string> tags;
  if (!tag.empty()) tags.push_back(tag);
  return register_image(image_config_to_json(cfg), tags, {}, {});
}

Result<Image> ImageService::import_rootfs(const std::string& path, const std::string& ref,
                                          const ImportOptions& opts) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::sys_error("import: open " + path);
  ImportOptions o = opts;
  if (o.source == "-") o.source = path;
  return import_rootfs(fd.get(), ref, o);
}

Result<Digest> ImageService::resolve_id(const std::string& s) {
  std::string_view v = s;
  if (base::starts_with(v, "sha256:")) v.remove_prefix(7);
  bool hex = !v.empty() && v.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (hex && v.size() == 64) {
    if (images_.find(Digest{std::string(v)})) return Digest{std::string(v)};
    return base::not_found("no such image: " + s);
  }
  if (!base::starts_with(s, "sha256:")) {
    auto ref = parse_reference(s);
    if (ref) {
      std::string full = ref->digest ? ref->digested() : ref->tagged();
      if (auto id = images_.lookup_ref(full)) return *id;
    } else if (!hex) {
      return ref.take_error();
    }
  }
  if (hex) {
    std::vector<Digest> ids = images_.find_prefix(std::string(v));
    if (ids.size() == 1) return ids.front();
    if (ids.size() > 1) return base::invalid("multiple IDs found with provided prefix: " + std::string(v));
  }
  return base::not_found("no such image: " + s);
}

Result<Image> ImageService::resolve(const std::string& ref_or_id) {
  std::lock_guard lock(mu_);
  auto id = resolve_id(ref_or_id);
  if (!id) return id.take_error();
  return make_image(*images_.find(*id));
}

Result<std::vector<Image>> ImageService::list() {
  std::lock_guard lock(mu_);
  std::vector<Image> out;
  for (const auto& [hex, rec] : images_.records()) {
    auto img = make_image(rec);
    if (!img) return img.take_error();
    out.push_back(std::move(*img));
  }
  std::stable_sort(out.begin(), out.end(), [](const Image& a, const Image& b) { return a.created_ns > b.created_ns; });
  return out;
}

Status ImageService::tag(const std::string& src, const std::string& target) {
  auto ref = parse_reference(target);
  if (!ref) return ref.take_error();
  if (ref->digest) return base::invalid("tag: target must not contain a digest: \"" + target + "\"");
  std::lock_guard lock(mu_);
  auto id = resolve_id(src);
  if (!id) return id.take_error();
  return images_.set_tag(ref->tagged(), *id);
}

Result<std::vector<HistoryEntry>> ImageService::history(const std::string& ref) {
  auto img = resolve(ref);
  if (!img) return img.take_error();
  const ImageConfig& c = img->config;
  std::vector<HistoryEntry> out;
  size_t layer = 0;
  auto layer_size = [&](size_t i) -> uint64_t {
    if (i >= c.diff_ids.size()) return 0;
    auto l = layers_.get(c.diff_ids[i]);
    return l ? l->size : 0;
  };
  if (c.history.empty()) {
    for (size_t i = 0; i < c.diff_ids.size(); ++i) out.push_back({"<missing>", img->created_ns, "", {}, layer_size(i), ""});
  }
  for (const HistoryItem& h : c.history) {
    HistoryEntry e;
    e.id = "<missing>";
    auto t = base::parse_rfc3339(h.created);
    e.created_ns = t ? *t : img->created_ns;  // a step without a time: the image's
    e.created_by = h.created_by;
    e.comment = h.comment;
    if (!h.empty_layer) e.size = layer_size(layer++);
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  if (!out.empty()) {
    out.front().id = img->id.str();
    out.front().tags = img->repo_tags;
  }
  return out;
}

Result<std::vector<std::string>> ImageService::layer_dirs(const Image& image) {
  std::vector<std::string> out;
  for (auto it = image.config.diff_ids.rbegin(); it != image.config.diff_ids.rend(); ++it) {
    if (!layers_.has(*it)) return base::not_found("image " + image.id.short_hex() + ": layer " + it->str() + " missing");
    out.push_back(layers_.diff_dir(*it));
  }
  return out;
}

}  // namespace engine::image
