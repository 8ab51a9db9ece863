// Registry round trips against a real docker-registry on 127.0.0.1 (started per test).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/unique_fd.h"
#include "engine/image/registry/credentials.h"
#include "engine/image/service.h"
#include "tests/engine/image/tar_builder.h"
#include "tests/integration/image/image_maker.h"
#include "tests/integration/image/registry_fixture.h"

using namespace engine::image;
using engine::base::UniqueFd;
using nlohmann::json;
using test::make_image;
using test::open_service;

namespace {

bool has_status(const std::vector<ProgressEvent>& evs, const std::string& prefix) {
  for (const ProgressEvent& e : evs)
    if (e.status.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("registry: push then pull round-trips a multi-layer image / blobs are mounted and skipped") {
  test::Registry reg;
  test::TempDir dir;
  auto a = open_service(dir / "a");
  Image img = make_image(*a, dir, "app:1",
                         {{"bin/one", "1"}, {"etc/two", std::string(300000, 't')}, {"srv/three", "3"}});
  std::string remote = reg.host() + "/test/app:1";
  REQUIRE(a->tag("app:1", remote));
  std::vector<ProgressEvent> push_events;
  auto pushed = a->push(remote, {}, [&](const ProgressEvent& e) { push_events.push_back(e); });
  REQUIRE_MESSAGE(pushed, pushed.error().str());
  CHECK(has_status(push_events, "The push refers to repository [" + reg.host() + "/test/app]"));
  CHECK(has_status(push_events, "Pushed"));
  CHECK(has_status(push_events, "1: digest: sha256:"));
  // Pushing again finds every layer; pushing to a sibling repository mounts them.
  push_events.clear();
  REQUIRE(a->push(remote, {}, [&](const ProgressEvent& e) { push_events.push_back(e); }));
  CHECK(has_status(push_events, "Layer already exists"));
  CHECK_FALSE(has_status(push_events, "Pushed"));
  std::string sibling = reg.host() + "/test/copy:2";
  REQUIRE(a->tag("app:1", sibling));
  push_events.clear();
  REQUIRE(a->push(sibling, {}, [&](const ProgressEvent& e) { push_events.push_back(e); }));
  CHECK(has_status(push_events, "Mounted from test/app"));

  auto b = open_service(dir / "b");
  std::vector<ProgressEvent> pull_events;
  auto pulled = b->pull(remote, {}, [&](const ProgressEvent& e) { pull_events.push_back(e); });
  REQUIRE_MESSAGE(pulled, pulled.error().str());
  CHECK(pulled->id == img.id);
  CHECK(pulled->repo_tags == std::vector<std::string>{remote});
  REQUIRE(pulled->repo_digests.size() == 1);
  CHECK(pulled->repo_digests[0].rfind(reg.host() + "/test/app@sha256:", 0) == 0);
  CHECK(has_status(pull_events, "Pull complete"));
  CHECK(has_status(pull_events, "Status: Downloaded newer image for " + remote));
  auto dirs = b->layer_dirs(*pulled);
  REQUIRE(dirs);
  REQUIRE(dirs->size() == 3);
  CHECK(*engine::base::read_file((*dirs)[0] + "/srv/three") == "3");
  CHECK(*engine::base::read_file((*dirs)[1] + "/etc/two") == std::string(300000, 't'));
  // By digest, and a second time: nothing is downloaded again.
  pull_events.clear();
  auto again = b->pull(pulled->repo_digests[0], {}, [&](const ProgressEvent& e) { pull_events.push_back(e); });
  REQUIRE_MESSAGE(again, again.error().str());
  CHECK(again->id == img.id);
  CHECK(has_status(pull_events, "Already exists"));
  CHECK_FALSE(has_status(pull_events, "Downloading"));
  // A pulled image can be saved and pushed on.
  std::string onward = reg.host() + "/other/app:3";
  REQUIRE(b->tag(remote, onward));
  REQUIRE(b->push(onward, {}, nullptr));
}

TEST_CASE("registry: a missing tag and a missing repository give clear errors") {
  test::Registry reg;
  test::TempDir dir;
  auto svc = open_service(dir / "root");
  auto r = svc->pull(reg.host() + "/nothing/here:nope", {}, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == engine::base::Code::NotFound);
  CHECK(r.error().message == "manifest for " + reg.host() + "/nothing/here:nope not found: manifest unknown: manifest unknown");
  Image img = make_image(*svc, dir, "x:1", {{"f", "x"}});
  REQUIRE(svc->tag("x:1", reg.host() + "/some/x:1"));
  REQUIRE(svc->push(reg.host() + "/some/x:1", {}, nullptr));
  auto tag = svc->pull(reg.host() + "/some/x:2", {}, nullptr);
  REQUIRE_FALSE(tag);
  CHECK(tag.error().message == "manifest for " + reg.host() + "/some/x:2 not found: manifest unknown: manifest unknown");
  auto nolocal = svc->push(reg.host() + "/some/y:1", {}, nullptr);
  REQUIRE_FALSE(nolocal);
  CHECK(nolocal.error().message == "An image does not exist locally with the tag: " + reg.host() + "/some/y");
}

TEST_CASE("registry: a corrupted blob is refused and leaves nothing behind") {
  test::Registry reg;
  test::TempDir dir;
  auto a = open_service(dir / "a");
  std::string big(200000, 'z');
  Image img = make_image(*a, dir, "c:1", {{"a", "alpha"}, {"big", big}});
  std::string remote = reg.host() + "/corrupt/me:1";
  REQUIRE(a->tag("c:1", remote));
  REQUIRE(a->push(remote, {}, nullptr));
  auto info = a->layers().get(img.config.diff_ids[1]);
  REQUIRE(info);
  REQUIRE(info->blob);
  // Same size, different bytes: only the digest check can catch it.
  std::string data = *engine::base::read_file(reg.blob_data_path(info->blob->digest.hex));
  data[data.size() / 2] ^= 0x55;
  test::write_text(reg.blob_data_path(info->blob->digest.hex), data);
  auto b = open_service(dir / "b");
  auto r = b->pull(remote, {}, nullptr);
  REQUIRE_FALSE(r);
  INFO(r.error().str());
  CHECK(r.error().message.rfind("filesystem layer verification failed for digest " + info->blob->digest.str() +
                                 ": digest mismatch: expected " + info->blob->digest.str() + ", got sha256:",
                                 0) == 0);
  CHECK_FALSE(b->resolve(remote));
  CHECK_FALSE(b->layers().has(img.config.diff_ids[1]));
  CHECK(b->blobs().list().size() <= 1);  // the intact layer's blob may have landed
  auto pruned = b->prune(false, nullptr);
  REQUIRE(pruned);
  CHECK(b->blobs().list().empty());
  CHECK(b->layers().list().empty());
  CHECK(std::filesystem::is_empty(dir / "b/layers/tmp"));
}

TEST_CASE("registry: basic auth with htpasswd: refused without credentials / login / push and pull") {
  test::Registry reg("berth", "s3cret-pass");
  test::TempDir dir;
  auto svc = open_service(dir / "root");
  make_image(*svc, dir, "auth:1", {{"f", "secret image"}});
  std::string remote = reg.host() + "/private/app:1";
  REQUIRE(svc->tag("auth:1", remote));
  auto anon = svc->push(remote, {}, nullptr);
  REQUIRE_FALSE(anon);
  CHECK(anon.error().code == engine::base::Code::FailedPrecondition);
  CHECK(anon.error().message.find("unauthorized") != std::string::npos);
  auto bad = svc->login(reg.host(), AuthConfig{"berth", "wrong", ""}, false);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unauthorized: incorrect username or password for " + reg.host());
  AuthConfig good{"berth", "s3cret-pass", ""};
  REQUIRE(svc->login(reg.host(), good, false));
  // The CLI keeps credentials in a 0600 file.
  registry::CredentialStore creds(dir / "config/auth.json");
  REQUIRE(creds.set(reg.host(), good));
  auto stored = creds.get(reg.host());
  REQUIRE(stored);
  REQUIRE(stored->has_value());
  CHECK((*stored)->password == "s3cret-pass");
  CHECK((std::filesystem::status(dir / "config/auth.json").permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  PushOptions po;
  po.auth = **stored;
  auto pushed = svc->push(remote, po, nullptr);
  REQUIRE_MESSAGE(pushed, pushed.error().str());
  auto other = open_service(dir / "other");
  CHECK_FALSE(other->pull(remote, {}, nullptr));
  PullOptions pl;
  pl.auth = good;
  auto pulled = other->pull(remote, pl, nullptr);
  REQUIRE_MESSAGE(pulled, pulled.error().str());
  REQUIRE(creds.erase(reg.host()));
  CHECK_FALSE(creds.get(reg.host())->has_value());
  CHECK(creds.erase(reg.host()).error().code == engine::base::Code::NotFound);
}

#include "tests/integration/image/token_proxy.h"

TEST_CASE("registry: bearer tokens from the WWW-Authenticate challenge / anonymous and with credentials") {
  test::Registry reg;
  test::TempDir dir;
  auto svc = open_service(dir / "a");
  Image img = make_image(*svc, dir, "tok:1", {{"f", "token"}, {"g", "gated"}});
  REQUIRE(svc->tag("tok:1", reg.host() + "/gated/app:1"));
  REQUIRE(svc->push(reg.host() + "/gated/app:1", {}, nullptr));
  {
    test::TokenProxy anon(reg.host());
    auto b = open_service(dir / "b");
    auto pulled = b->pull(anon.host() + "/gated/app:1", {}, nullptr);
    REQUIRE_MESSAGE(pulled, pulled.error().str());
    CHECK(pulled->id == img.id);
    auto queries = anon.token_requests();
    REQUIRE_FALSE(queries.empty());
    CHECK(queries.front() == "service=berth-test&scope=repository%3Agated%2Fapp%3Apull");
  }
  {
    test::TokenProxy locked(reg.host(), "alice", "wonderland");
    auto c = open_service(dir / "c");
    auto denied = c->pull(locked.host() + "/gated/app:1", {}, nullptr);
    REQUIRE_FALSE(denied);
    CHECK(denied.error().message == "unauthorized: incorrect username or password for " + locked.host());
    PullOptions opts;
    opts.auth = AuthConfig{"alice", "wonderland", ""};
    auto pulled = c->pull(locked.host() + "/gated/app:1", opts, nullptr);
    REQUIRE_MESSAGE(pulled, pulled.error().str());
    CHECK(pulled->id == img.id);
  }
}

TEST_CASE("registry: HTTPS with a registry CA from the certs directory") {
  test::Registry reg("", "", true);
  test::TempDir dir;
  auto svc = open_service(dir / "a");
  Image img = make_image(*svc, dir, "tls:1", {{"f", "over tls"}});
  std::string remote = reg.host() + "/tls/app:1";
  REQUIRE(svc->tag("tls:1", remote));
  // Without the CA the certificate is not trusted and there is no fallback to plain HTTP
  // once TLS answered (only a failed handshake with a non-TLS server falls back).
  PushOptions untrusted;
  untrusted.certs_dir = dir / "empty-certs.d";
  auto refused = svc->push(remote, untrusted, nullptr);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("tls handshake") != std::string::npos);
  test::write_text(dir / ("certs.d/" + reg.host() + "/ca.crt"), *engine::base::read_file(reg.cert_path()));
  PushOptions po;
  po.certs_dir = dir / "certs.d";
  auto pushed = svc->push(remote, po, nullptr);
  REQUIRE_MESSAGE(pushed, pushed.error().str());
  auto b = open_service(dir / "b");
  PullOptions pl;
  pl.certs_dir = dir / "certs.d";
  auto pulled = b->pull(remote, pl, nullptr);
  REQUIRE_MESSAGE(pulled, pulled.error().str());
  CHECK(pulled->id == img.id);
}
