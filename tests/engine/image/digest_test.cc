#include "engine/image/digest.h"

#include <doctest/doctest.h>

#include "engine/image/blob_store.h"
#include "tests/support/test_util.h"

using namespace engine::image;

TEST_CASE("digest: sha256 of known inputs / streaming equals one-shot") {
  CHECK(sha256_of("").str() == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.update("ab");
  h.update("c");
  CHECK(h.finish().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_of("abc").short_hex() == "ba7816bf8f01");
}

TEST_CASE("digest: parse refuses other algorithms and bad hex") {
  CHECK(parse_digest("sha256:" + std::string(64, 'f')));
  CHECK_FALSE(parse_digest("sha512:" + std::string(128, 'f')));
  CHECK_FALSE(parse_digest("sha256:" + std::string(64, 'F')));
  CHECK_FALSE(parse_digest("sha256:abc"));
  CHECK(parse_digest("md5:x").error().message == "unsupported digest algorithm in \"md5:x\"");
}

TEST_CASE("blob store: put / read / verify on commit / list and remove") {
  test::TempDir dir;
  auto store = BlobStore::open(dir.path());
  REQUIRE(store);
  auto d = store->put("hello");
  REQUIRE(d);
  CHECK(*d == sha256_of("hello"));
  CHECK(store->has(*d));
  CHECK(*store->read(*d) == "hello");
  CHECK(*store->size(*d) == 5);
  {
    auto w = store->writer();
    REQUIRE(w);
    REQUIRE(w->write("corrupt"));
    auto bad = w->commit(sha256_of("expected"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("digest mismatch") == 0);
  }
  CHECK_FALSE(store->has(sha256_of("corrupt")));
  CHECK(store->list().size() == 1);
  REQUIRE(store->remove(*d));
  CHECK_FALSE(store->has(*d));
  CHECK(store->read(*d).error().code == engine::base::Code::NotFound);
}
