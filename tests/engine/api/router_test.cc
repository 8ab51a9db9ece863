#include "engine/api/router.h"

#include <doctest/doctest.h>

using namespace engine::api;

static Router make_router() {
  Router r;
  r.get("/_ping", [](Exchange&) {});
  r.get("/containers/{id}/json", [](Exchange&) {});
  r.post("/containers/{id}/start", [](Exchange&) {});
  r.get("/images/{name*}/json", [](Exchange&) {});
  return r;
}

TEST_CASE("router: matches patterns and extracts parameters") {
  Router r = make_router();
  auto m = r.match("GET", "/containers/abc123/json");
  REQUIRE(m.route);
  CHECK(m.params.at("id") == "abc123");
  CHECK(m.api_version == "1.41");
  auto img = r.match("GET", "/images/docker.io/library/busybox:latest/json");
  REQUIRE(img.route);
  CHECK(img.params.at("name") == "docker.io/library/busybox:latest");
}

TEST_CASE("router: versioned paths within range are accepted, others refused") {
  Router r = make_router();
  auto m = r.match("POST", "/v1.24/containers/x/start");
  REQUIRE(m.route);
  CHECK(m.api_version == "1.24");
  auto too_new = r.match("GET", "/v1.50/_ping");
  CHECK(too_new.status == 400);
  CHECK(too_new.message == "client version 1.50 is too new. Maximum supported API version is 1.41");
  auto too_old = r.match("GET", "/v1.12/_ping");
  CHECK(too_old.status == 400);
}

TEST_CASE("router: unknown path is 404, wrong method 405, HEAD falls back to GET") {
  Router r = make_router();
  CHECK(r.match("GET", "/nope").status == 404);
  CHECK(r.match("DELETE", "/containers/x/start").status == 405);
  CHECK(r.match("HEAD", "/_ping").route != nullptr);
  CHECK(r.match("GET", "relative").status == 400);
}

TEST_CASE("router: API versions compare numerically") {
  CHECK(compare_api_versions("1.9", "1.41") < 0);
  CHECK(compare_api_versions("1.41", "1.41") == 0);
  CHECK(compare_api_versions("1.41", "1.24") > 0);
}
