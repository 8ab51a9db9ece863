// Staged layers and blobs (the pull's batched commit): verified, invisible until
// committed / published, and removed when dropped.
#include <doctest/doctest.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/image/blob_store.h"
#include "engine/image/layer_store.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/support/test_util.h"

using namespace engine::image;
using engine::base::Result;

namespace {

size_t entries(const std::string& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++n;
  return n;
}

// A ChunkFn handing out `data` in pieces of `step` bytes.
ChunkFn pieces(const std::string& data, size_t step) {
  auto off = std::make_shared<size_t>(0);
  return [&data, step, off]() -> Result<std::string_view> {
    std::string_view v(data.data() + *off, std::min(step, data.size() - *off));
    *off += v.size();
    return v;
  };
}

}  // namespace

TEST_CASE("layer store: a staged layer is invisible until committed and removed when dropped") {
  test::TempDir root;
  auto store = LayerStore::open(root.path());
  REQUIRE(store);
  std::string big(300000, 'x');
  std::string tar = test::TarBuilder("gzip").file("a/big", big).file("a/small", "s").finish();
  {
    auto staged = store->stage(pieces(tar, 777), std::nullopt, LayerBlob{sha256_of(tar), "", tar.size()});
    REQUIRE_MESSAGE(staged, staged.error().str());
    CHECK(entries(root / "layers/tmp") == 1);
    CHECK(store->list().empty());
  }  // dropped: nothing left
  CHECK(entries(root / "layers/tmp") == 0);
  CHECK(store->list().empty());

  UnpackOptions threaded;
  threaded.inflate_thread = true;  // as the pull unpacks
  auto staged = store->stage(pieces(tar, 4096), std::nullopt, LayerBlob{sha256_of(tar), "", tar.size()}, threaded);
  REQUIRE(staged);
  CHECK_FALSE(store->has(staged->info.diff_id));
  REQUIRE(store->sync_filesystem());
  auto info = store->commit(std::move(*staged));
  REQUIRE_MESSAGE(info, info.error().str());
  REQUIRE(store->sync_dir());
  CHECK(store->has(info->diff_id));
  CHECK(*engine::base::read_file(store->diff_dir(info->diff_id) + "/a/big") == big);
  CHECK(info->blob->media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip");
  CHECK(entries(root / "layers/tmp") == 0);

  // A corrupted chunk stream fails the stage with the digest check, leaving nothing.
  std::string bad = tar;
  bad[bad.size() / 2] ^= 0x55;
  auto refused = store->stage(pieces(bad, 1000), info->diff_id, std::nullopt);
  CHECK_FALSE(refused);
  auto refused_threaded = store->stage(pieces(bad, 1000), info->diff_id, std::nullopt, threaded);
  CHECK_FALSE(refused_threaded);
  // A truncated stream, and a hostile entry while the inflate thread still runs.
  CHECK_FALSE(store->stage(pieces(tar.substr(0, tar.size() / 2), 999), std::nullopt, std::nullopt, threaded));
  std::string hostile = test::TarBuilder("gzip").file("../escape", "x").file("b", std::string(200000, 'y')).finish();
  auto escaped = store->stage(pieces(hostile, 512), std::nullopt, std::nullopt, threaded);
  REQUIRE_FALSE(escaped);
  CHECK(escaped.error().message.find("escape") != std::string::npos);
  CHECK(entries(root / "layers/tmp") == 0);
}

TEST_CASE("blob store: a finished blob is invisible until published") {
  test::TempDir root;
  auto blobs = BlobStore::open(root.path());
  REQUIRE(blobs);
  Digest d = sha256_of("payload");
  {
    auto w = blobs->writer();
    REQUIRE(w);
    REQUIRE(w->write("payload"));
    auto mismatch = w->finish(sha256_of("other"));
    REQUIRE_FALSE(mismatch);
    CHECK(mismatch.error().message.find("digest mismatch") == 0);
  }
  CHECK(entries(root / "blobs/tmp") == 0);
  {
    auto w = blobs->writer();
    REQUIRE(w);
    REQUIRE(w->write("payload"));
    REQUIRE(w->finish(d));
    CHECK_FALSE(blobs->has(d));
  }  // dropped after finish: nothing published, nothing left
  CHECK_FALSE(blobs->has(d));
  CHECK(entries(root / "blobs/tmp") == 0);
  auto w = blobs->writer();
  REQUIRE(w);
  REQUIRE(w->write("payload"));
  REQUIRE(w->finish(d));
  REQUIRE(w->publish());
  REQUIRE(blobs->sync_dir());
  CHECK(*blobs->read(d) == "payload");
  CHECK(entries(root / "blobs/tmp") == 0);
  // A blob a crash left half-written is dropped when the store opens again.
  test::write_text(root / "blobs/tmp/blob-crashed", "half");
  REQUIRE(BlobStore::open(root.path()));
  CHECK(entries(root / "blobs/tmp") == 0);
  CHECK(blobs->has(d));
}
