#include "engine/build/chown.h"

#include <doctest/doctest.h>

using engine::build::parse_chmod;
using engine::build::resolve_chown;

namespace {
const char* kPasswd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\nnogrp:x:1200:1300::/:/bin/false\n";
const char* kGroup = "root:x:0:\nstaff:x:50:app\napp:x:1001:\n";
}  // namespace

TEST_CASE("chown: names from passwd and group, numbers, primary group") {
  auto a = resolve_chown("app", kPasswd, kGroup);
  REQUIRE_MESSAGE(a.ok(), a.error().message);
  CHECK(a->uid == 1000);
  CHECK(a->gid == 1001);  // the user's primary group
  auto b = resolve_chown("app:staff", kPasswd, kGroup);
  REQUIRE(b.ok());
  CHECK(b->uid == 1000);
  CHECK(b->gid == 50);
  auto c = resolve_chown("42", kPasswd, kGroup);
  REQUIRE(c.ok());
  CHECK(c->uid == 42);
  CHECK(c->gid == 42);
  auto d = resolve_chown("42:staff", kPasswd, kGroup);
  REQUIRE(d.ok());
  CHECK(d->gid == 50);
  auto e = resolve_chown("nogrp:7", kPasswd, kGroup);
  REQUIRE(e.ok());
  CHECK(e->uid == 1200);
  CHECK(e->gid == 7);
}

TEST_CASE("chown: unknown names and bad values are errors") {
  CHECK(resolve_chown("ghost", kPasswd, kGroup).error().message ==
        "unable to find user ghost: no matching entries in passwd file");
  CHECK(resolve_chown("app:ghosts", kPasswd, kGroup).error().message ==
        "unable to find group ghosts: no matching entries in group file");
  CHECK(resolve_chown("app", "", "").error().message == "unable to find user app: no matching entries in passwd file");
  CHECK_FALSE(resolve_chown("app:", kPasswd, kGroup).ok());
  CHECK_FALSE(resolve_chown(":staff", kPasswd, kGroup).ok());
}

TEST_CASE("chmod: octal modes only") {
  CHECK(*parse_chmod("755") == 0755);
  CHECK(*parse_chmod("0640") == 0640);
  CHECK(*parse_chmod("4755") == 04755);
  CHECK(parse_chmod("u+x").error().message == "invalid --chmod value \"u+x\": expected an octal mode");
  CHECK_FALSE(parse_chmod("778").ok());
  CHECK_FALSE(parse_chmod("17777").ok());
  CHECK_FALSE(parse_chmod("").ok());
}
