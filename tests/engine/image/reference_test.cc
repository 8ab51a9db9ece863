#include "engine/image/reference.h"

#include <doctest/doctest.h>

using engine::image::familiarize;
using engine::image::parse_reference;
using engine::image::parse_reference_no_default;

TEST_CASE("reference: short names normalize like Docker") {
  auto r = parse_reference("busybox");
  REQUIRE(r);
  CHECK(r->str() == "docker.io/library/busybox:latest");
  CHECK(r->familiar_str() == "busybox:latest");
  CHECK(r->familiar_name() == "busybox");
  auto ns = parse_reference("someone/app:1.2");
  REQUIRE(ns);
  CHECK(ns->str() == "docker.io/someone/app:1.2");
  CHECK(ns->familiar_str() == "someone/app:1.2");
  auto idx = parse_reference("index.docker.io/library/alpine");
  REQUIRE(idx);
  CHECK(idx->str() == "docker.io/library/alpine:latest");
}

TEST_CASE("reference: registries with ports / localhost and digests") {
  auto r = parse_reference("host:5000/ns/app:1.2");
  REQUIRE(r);
  CHECK(r->domain == "host:5000");
  CHECK(r->path == "ns/app");
  CHECK(r->tag == "1.2");
  CHECK(r->familiar_str() == "host:5000/ns/app:1.2");
  auto l = parse_reference("localhost/app");
  REQUIRE(l);
  CHECK(l->str() == "localhost/app:latest");
  auto noport = parse_reference("localhost:5000/app");
  REQUIRE(noport);
  CHECK(noport->domain == "localhost:5000");
  std::string hex(64, 'a');
  auto d = parse_reference("busybox@sha256:" + hex);
  REQUIRE(d);
  CHECK(d->tag.empty());
  CHECK(d->str() == "docker.io/library/busybox@sha256:" + hex);
  auto td = parse_reference("busybox:1.36@sha256:" + hex);
  REQUIRE(td);
  CHECK(td->tag == "1.36");
  CHECK(td->digest->hex == hex);
  CHECK(familiarize("docker.io/library/busybox@sha256:" + hex) == "busybox@sha256:" + hex);
  auto nd = parse_reference_no_default("busybox");
  REQUIRE(nd);
  CHECK(nd->tag.empty());
}

TEST_CASE("reference: invalid references are refused with Docker's wording") {
  auto upper = parse_reference("BusyBox");
  REQUIRE_FALSE(upper);
  CHECK(upper.error().message == "invalid reference format \"BusyBox\": repository name must be lowercase");
  CHECK_FALSE(parse_reference(""));
  CHECK_FALSE(parse_reference("app:"));
  CHECK_FALSE(parse_reference("a//b"));
  CHECK_FALSE(parse_reference("app@sha256:123"));
  CHECK_FALSE(parse_reference("-app"));
  CHECK_FALSE(parse_reference("app:-tag"));
  CHECK_FALSE(parse_reference(std::string(64, 'a')));
  CHECK_FALSE(parse_reference("app:" + std::string(129, 't')));
  CHECK(parse_reference("my_app.v2__x-y:1.0_rc-1"));
}
