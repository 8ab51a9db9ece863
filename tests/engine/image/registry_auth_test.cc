#include <doctest/doctest.h>
#include <sys/stat.h>

#include "engine/image/registry/auth.h"
#include "engine/image/registry/client.h"
#include "engine/image/registry/credentials.h"
#include "engine/image/registry/http.h"
#include "tests/support/test_util.h"

using namespace engine::image::registry;

TEST_CASE("registry auth: WWW-Authenticate challenges parse") {
  auto c = parse_challenge(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  REQUIRE(c);
  CHECK(c->scheme == "bearer");
  CHECK(c->params.at("realm") == "https://auth.docker.io/token");
  CHECK(c->params.at("service") == "registry.docker.io");
  CHECK(c->params.at("scope") == "repository:library/busybox:pull");
  auto b = parse_challenge(R"(Basic realm="berth-test")");
  REQUIRE(b);
  CHECK(b->scheme == "basic");
  CHECK(b->params.at("realm") == "berth-test");
  CHECK_FALSE(parse_challenge(""));
}

TEST_CASE("registry auth: base64 / basic header / url encoding") {
  CHECK(base64_encode("user:pass") == "dXNlcjpwYXNz");
  CHECK(*base64_decode("dXNlcjpwYXNz") == "user:pass");
  CHECK(*base64_decode("YQ==") == "a");
  CHECK(*base64_decode("YWI=") == "ab");
  CHECK_FALSE(base64_decode("abc"));
  CHECK(basic_auth_header({"aladdin", "opensesame", ""}) == "Basic YWxhZGRpbjpvcGVuc2VzYW1l");
  CHECK(url_encode("repository:a/b:pull,push") == "repository%3Aa%2Fb%3Apull%2Cpush");
}

TEST_CASE("registry: endpoints and URLs") {
  Endpoint hub = registry_endpoint("docker.io");
  CHECK(hub.url() == "https://registry-1.docker.io:443");
  CHECK(registry_endpoint("localhost:5000").url() == "https://localhost:5000");
  CHECK(registry_endpoint("reg.example:8443").url() == "https://reg.example:8443");
  CHECK(registry_allows_http("localhost:5000", false));
  CHECK(registry_allows_http("127.0.0.1:5000", false));
  CHECK(registry_allows_http("reg.example", true));
  CHECK_FALSE(registry_allows_http("reg.example", false));
  CHECK_FALSE(registry_allows_http("docker.io", false));
  auto u = parse_url("https://auth.example/token?x=1", hub);
  REQUIRE(u);
  CHECK(u->endpoint.url() == "https://auth.example:443");
  CHECK(u->target == "/token?x=1");
  auto rel = parse_url("/v2/a/blobs/uploads/123?_state=x", hub);
  REQUIRE(rel);
  CHECK(rel->endpoint.host == "registry-1.docker.io");
  CHECK(rel->target == "/v2/a/blobs/uploads/123?_state=x");
  CHECK(parse_url("http://127.0.0.1:5000", hub)->target == "/");
  CHECK_FALSE(parse_url("ftp://x/y", hub));
}

TEST_CASE("credentials: stored 0600 in Docker's config.json shape / keys normalized") {
  test::TempDir dir;
  CredentialStore store(dir / "sub/config.json");
  CHECK_FALSE(store.get("docker.io")->has_value());
  REQUIRE(store.set("docker.io", {"me", "pw:with:colons", ""}));
  REQUIRE(store.set("localhost:5000", {"other", "x", ""}));
  auto got = store.get("index.docker.io");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK((*got)->username == "me");
  CHECK((*got)->password == "pw:with:colons");
  CHECK(*store.list() == std::vector<std::string>{"https://index.docker.io/v1/", "localhost:5000"});
  struct stat st {};
  REQUIRE(::stat((dir / "sub/config.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(store.erase("https://index.docker.io/v1/"));
  CHECK(store.erase("docker.io").error().message == "not logged in to docker.io");
  CHECK(credential_key("http://localhost:5000/") == "localhost:5000");
}
