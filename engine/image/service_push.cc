// ImageService: push to a registry. Blobs the registry has are skipped, blobs another
// repository of the same registry has are mounted, the rest are uploaded; then the
// manifest (Docker schema 2 when every layer is gzip, OCI otherwise) is put under the tag.
#include "engine/base/strings.h"
#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "engine/image/registry/client.h"
#include "engine/image/service.h"

namespace engine::image {

using base::Result;
using base::Status;

namespace {

// Pushes one blob unless the registry already has it; returns the final status word.
Result<std::string> push_blob(registry::RegistryClient& client, const BlobStore& blobs, const Digest& d,
                              const std::vector<std::string>& mount_from) {
  auto exists = client.blob_exists(d);
  if (!exists) return exists.take_error();
  if (*exists) return std::string("Layer already exists");
  std::string upload;
  for (const std::string& from : mount_from) {
    auto r = client.mount_or_start_upload(d, from);
    if (!r) return r.take_error();
    if (r->empty()) return "Mounted from " + from;
    upload = *r;
    break;
  }
  BERTH_TRY(client.upload_blob(d, blobs.path(d), "", upload));
  return std::string("Pushed");
}

}  // namespace

Status ImageService::push(const std::string& ref_s, const PushOptions& opts, const ProgressFn& progress_in) {
  auto ref = parse_reference(ref_s);
  if (!ref) return ref.take_error();
  if (ref->digest) return base::invalid("push: cannot push a digest reference \"" + ref_s + "\"");
  auto progress = [&](const ProgressEvent& e) {
    if (progress_in) progress_in(e);
  };
  Image img;
  std::vector<std::string> mount_from;
  {
    std::lock_guard lock(mu_);
    auto id = images_.lookup_ref(ref->tagged());
    if (!id) return base::not_found("An image does not exist locally with the tag: " + ref->familiar_name());
    const ImageRecord* rec = images_.find(*id);
    auto made = make_image(*rec);
    if (!made) return made.take_error();
    img = std::move(*made);
    for (const std::string& d : rec->digests) {
      auto r = parse_reference(d);
      if (r && r->domain == ref->domain && r->path != ref->path) mount_from.push_back(r->path);
    }
  }
  LayerPin pin(*this, img.config.diff_ids);
  progress({"", "The push refers to repository [" + ref->name() + "]", 0, 0});
  registry::RegistryClient client(ref->domain, ref->path, opts.auth, opts.insecure, true, opts.certs_dir);
  Manifest m;
  bool all_gzip = true;
  for (const Digest& diff_id : img.config.diff_ids) {
    auto info = layers_.get(diff_id);
    if (!info) return info.take_error().wrap("push");
    if (!info->blob || !blobs_.has(info->blob->digest))
      return base::precondition("push: layer " + diff_id.str() + " has no stored tar to push");
    all_gzip &= compression_of(info->blob->media_type) == "gzip";
    m.layers.push_back(Descriptor{info->blob->media_type, info->blob->digest, info->blob->size, {}, {}});
  }
  for (Descriptor& l : m.layers) {
    l.media_type = layer_media_type(compression_of(l.media_type), !all_gzip);
    std::string id = l.digest.short_hex();
    progress({id, "Preparing", 0, 0});
    progress({id, "Pushing", 0, l.size});
    auto word = push_blob(client, blobs_, l.digest, mount_from);
    if (!word) return word.take_error().wrap("push layer " + l.digest.str());
    progress({id, *word, l.size, l.size});
  }
  auto csize = blobs_.size(img.id);
  if (!csize) return csize.take_error();
  auto cword = push_blob(client, blobs_, img.id, {});
  if (!cword) return cword.take_error().wrap("push config");
  m.media_type = std::string(all_gzip ? media::kDockerManifest : media::kOciManifest);
  m.config = Descriptor{std::string(all_gzip ? media::kDockerConfig : media::kOciConfig), img.id, *csize, {}, {}};
  std::string body = manifest_to_json(m);
  auto digest = client.put_manifest(ref->tag, body, m.media_type);
  if (!digest) return digest.take_error();
  auto kept = blobs_.put(body);
  if (!kept) return kept.take_error();
  {
    std::lock_guard lock(mu_);
    ImageRecord rec;
    rec.id = img.id;
    rec.digests = {ref->name() + "@" + digest->str()};
    rec.manifests = {*kept};
    BERTH_TRY(images_.put(rec));
  }
  progress({"", ref->tag + ": digest: " + digest->str() + " size: " + std::to_string(body.size()), 0, 0});
  return {};
}

}  // namespace engine::image
