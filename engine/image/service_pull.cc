// ImageService: pull from a registry. Each missing layer is downloaded and unpacked at
// the same time (the bytes go both to the blob store and, through an in-process queue, to
// the unpacker), several layers in parallel; every blob's digest is verified.
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"
#include "engine/image/chunk_queue.h"
#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "engine/image/registry/client.h"
#include "engine/image/service.h"

namespace engine::image {

using base::Result;
using base::Status;

struct ImageService::PullJob {
  registry::RegistryClient* client;
  Descriptor blob;
  Digest diff_id;
  std::function<void(const ProgressEvent&)> progress;
  std::optional<BlobWriter> staged_blob;    ///< the downloaded blob, verified, not visible yet
  std::optional<StagedLayer> staged_layer;  ///< the unpacked layer, verified, not visible yet
};

namespace {

constexpr uint64_t kMaxConfig = 8 << 20;
constexpr uint64_t kProgressStep = 512 << 10;

// Downloads a (small) config blob and checks its digest.
Result<std::string> fetch_config(registry::RegistryClient& client, const Digest& d) {
  std::string text;
  Status s = client.fetch_blob(
      d,
      [&](const char* p, size_t n) -> Status {
        if (text.size() + n > kMaxConfig) return base::invalid("image config is too large");
        text.append(p, n);
        return {};
      },
      nullptr);
  if (!s.ok()) return s.take_error().wrap("pull config");
  if (sha256_of(text) != d) return base::invalid("pull config: digest mismatch for " + d.str());
  return text;
}

// Runs fn(0..n-1) on up to `parallel` threads; stops handing out work at the first error.
Status run_parallel(size_t n, int parallel, const std::function<Status(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::optional<base::Error> first_error;
  auto worker = [&] {
    for (;;) {
      size_t i = next++;
      if (i >= n) return;
      {
        std::lock_guard lock(mu);
        if (first_error) return;
      }
      Status s = fn(i);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = s.take_error();
      }
    }
  };
  size_t nthreads = std::min<size_t>(n, static_cast<size_t>(std::max(1, parallel)));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < nthreads; ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (first_error) return std::move(*first_error);
  return {};
}

}  // namespace

Status ImageService::pull_layer(PullJob& job) {
  const std::string id = job.blob.digest.short_hex();
  // A deep queue lets the download run ahead of the unpacker (pipelining on 2+ cores).
  ChunkQueue queue(8 << 20);
  auto writer = blobs_.writer();
  if (!writer) return writer.take_error();
  std::optional<Result<StagedLayer>> layer;
  std::thread unpacker([&] {
    UnpackOptions uo;
    uo.hash_compressed = false;  // the blob writer verifies the download's digest
    uo.inflate_thread = true;
    layer.emplace(layers_.stage([&]() -> Result<std::string_view> { return queue.next(); }, job.diff_id,
                                LayerBlob{job.blob.digest, job.blob.media_type, job.blob.size}, uo));
    queue.close_reader();  // a failed unpack no longer holds up the download
  });
  // If the unpacker stops early the download still completes, so a corrupted blob is
  // reported as such (digest mismatch) rather than as whatever broke the unpacking.
  uint64_t last = 0;
  Status dl = job.client->fetch_blob(
      job.blob.digest,
      [&](const char* p, size_t n) -> Status {
        BERTH_TRY(writer->write(p, n));
        (void)queue.push(p, n);
        return {};
      },
      [&](uint64_t got) {
        if (got - last >= kProgressStep || got == job.blob.size) {
          last = got;
          job.progress({id, "Downloading", got, job.blob.size});
        }
      });
  queue.close_writer();
  unpacker.join();
  if (!dl.ok()) return dl.take_error().wrap("pull layer " + job.blob.digest.str());
  auto finished = writer->finish(job.blob.digest);
  if (!finished)
    return base::invalid("filesystem layer verification failed for digest " + job.blob.digest.str() + ": " +
                         finished.error().message);
  if (!layer->ok()) return layer->take_error().wrap("pull layer " + job.blob.digest.str());
  job.progress({id, "Verifying Checksum", 0, 0});
  job.progress({id, "Download complete", 0, 0});
  job.progress({id, "Extracting", job.blob.size, job.blob.size});
  job.staged_blob.emplace(std::move(*writer));
  job.staged_layer.emplace(std::move(**layer));
  return {};
}

Status ImageService::commit_pulled(std::vector<PullJob>& jobs) {
  if (jobs.empty()) return blobs_.sync_dir();  // the manifest blobs' renames
  // One syncfs makes every staged blob and layer durable; only then are they renamed
  // into place, so nothing visible is ever half-written, even after a crash.
  BERTH_TRY(layers_.sync_filesystem());
  for (PullJob& job : jobs) {
    if (!blobs_.has(job.blob.digest)) BERTH_TRY(job.staged_blob->publish());
    auto info = layers_.commit(std::move(*job.staged_layer));
    if (!info) return info.take_error().wrap("pull layer " + job.blob.digest.str());
    job.progress({job.blob.digest.short_hex(), "Pull complete", 0, 0});
  }
  BERTH_TRY(blobs_.sync_dir());
  return layers_.sync_dir();
}

Result<Image> ImageService::pull(const std::string& ref_s, const PullOptions& opts, const ProgressFn& progress_in) {
  auto ref = parse_reference(ref_s);
  if (!ref) return ref.take_error();
  auto platform = parse_platform(opts.platform.empty() ? "linux/amd64" : opts.platform);
  if (!platform) return platform.take_error();
  std::mutex pmu;
  auto progress = [&](const ProgressEvent& e) {
    if (!progress_in) return;
    std::lock_guard lock(pmu);
    progress_in(e);
  };
  registry::RegistryClient client(ref->domain, ref->path, opts.auth, opts.insecure, false, opts.certs_dir);
  std::string wanted = ref->digest ? ref->digest->str() : ref->tag;
  progress({ref->digest ? ref->digest->str() : ref->tag, "Pulling from " + ref->path, 0, 0});
  auto top = client.get_manifest(wanted);
  if (!top) return top.take_error();
  std::vector<Digest> manifest_blobs;
  // A failed pull leaves no manifest blob behind (unless it was stored before).
  base::Rollback rollback;
  auto keep_blob = [&](const std::string& body) -> Result<Digest> {
    Digest d = sha256_of(body);
    if (blobs_.has(d)) return d;
    auto k = blobs_.put(body);
    if (k) rollback.add([this, d] { (void)blobs_.remove(d); });
    return k;
  };
  auto keep = keep_blob(top->body);
  if (!keep) return keep.take_error();
  manifest_blobs.push_back(*keep);
  registry::FetchedManifest chosen = *top;
  if (is_index_type(top->media_type)) {
    auto idx = parse_index(top->body);
    if (!idx) return idx.take_error();
    auto pick = select_platform(*idx, *platform);
    if (!pick) return pick.take_error();
    auto m = client.get_manifest(pick->digest.str());
    if (!m) return m.take_error();
    chosen = std::move(*m);
    auto k = keep_blob(chosen.body);
    if (!k) return k.take_error();
    manifest_blobs.push_back(*k);
  }
  auto manifest = parse_manifest(chosen.body);
  if (!manifest) return manifest.take_error();

  auto config_text = fetch_config(client, manifest->config.digest);
  if (!config_text) return config_text.take_error();
  auto cfg = parse_image_config(*config_text);
  if (!cfg) return cfg.take_error();
  if (cfg->diff_ids.size() != manifest->layers.size())
    return base::invalid("pull: manifest has " + std::to_string(manifest->layers.size()) + " layers but the config lists " +
                         std::to_string(cfg->diff_ids.size()));

  LayerPin pin(*this, cfg->diff_ids);
  std::vector<PullJob> jobs;
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    const Descriptor& l = manifest->layers[i];
    if (layers_.has(cfg->diff_ids[i])) {
      progress({l.digest.short_hex(), "Already exists", 0, 0});
      continue;
    }
    bool dup = false;
    for (const PullJob& j : jobs) dup |= j.diff_id == cfg->diff_ids[i];
    if (dup) continue;
    progress({l.digest.short_hex(), "Pulling fs layer", 0, 0});
    jobs.push_back(PullJob{&client, l, cfg->diff_ids[i], progress, std::nullopt, std::nullopt});
  }
  BERTH_TRY(run_parallel(jobs.size(), opts.parallel, [&](size_t i) { return pull_layer(jobs[i]); }));
  BERTH_TRY(commit_pulled(jobs));

  std::vector<std::string> tags;
  if (!ref->tag.empty()) tags.push_back(ref->tagged());
  std::vector<std::string> digests{ref->name() + "@" + top->digest.str()};
  bool had = false;
  {
    std::lock_guard lock(mu_);
    if (auto id = images_.lookup_ref(ref->digest ? ref->digested() : ref->tagged()))
      had = *id == sha256_of(*config_text);
  }
  auto img = register_image(*config_text, tags, digests, manifest_blobs);
  if (!img) return img.take_error();
  rollback.commit();
  progress({"", "Digest: " + top->digest.str(), 0, 0});
  progress({"", std::string(had ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") +
                    ref->familiar_str(), 0, 0});
  return img;
}

Status ImageService::login(const std::string& server, const AuthConfig& auth, bool insecure,
                           const std::string& certs_dir) {
  std::string domain = server;
  if (base::starts_with(domain, "https://")) domain = domain.substr(8);
  if (base::starts_with(domain, "http://")) domain = domain.substr(7);
  if (auto slash = domain.find('/'); slash != std::string::npos) domain = domain.substr(0, slash);
  if (domain.empty() || domain == "index.docker.io") domain = "docker.io";
  registry::RegistryClient client(domain, "", auth, insecure, false, certs_dir);
  return client.ping();
}

}  // namespace engine::image
