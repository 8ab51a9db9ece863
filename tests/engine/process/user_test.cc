#include "engine/process/user.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "engine/process/init.h"
#include "tests/support/test_util.h"

namespace {
const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "app:x:1000:1000:app:/home/app:/bin/sh\n"
    "svc:x:1001:1001::/srv:/bin/false\n";
const char* kGroup =
    "root:x:0:\n"
    "app:x:1000:\n"
    "svc:x:1001:\n"
    "extra:x:2000:app,svc\n"
    "audio:x:29:app\n";
}  // namespace

TEST_CASE("process: users by name get their passwd ids, home and group memberships") {
  auto u = engine::process::resolve_user("app", {}, kPasswd, kGroup);
  REQUIRE(u.ok());
  CHECK(u->uid == 1000);
  CHECK(u->gid == 1000);
  CHECK(u->home == "/home/app");
  CHECK(u->additional_gids == std::vector<gid_t>{29, 2000});
}

TEST_CASE("process: empty user is root, numeric ids need no passwd entry") {
  auto root = engine::process::resolve_user("", {}, kPasswd, kGroup);
  REQUIRE(root.ok());
  CHECK(root->uid == 0);
  CHECK(root->home == "/root");
  auto n = engine::process::resolve_user("4242:4343", {}, kPasswd, kGroup);
  REQUIRE(n.ok());
  CHECK(n->uid == 4242);
  CHECK(n->gid == 4343);
  CHECK(n->home == "/");
  auto known = engine::process::resolve_user("1001", {}, kPasswd, kGroup);
  CHECK(known->gid == 1001);
}

TEST_CASE("process: user:group by names and group_add") {
  auto u = engine::process::resolve_user("svc:extra", {"audio", "3000"}, kPasswd, kGroup);
  REQUIRE(u.ok());
  CHECK(u->uid == 1001);
  CHECK(u->gid == 2000);
  CHECK(u->additional_gids == std::vector<gid_t>{29, 3000});
}

TEST_CASE("process: unknown user or group is an error naming it") {
  auto u = engine::process::resolve_user("ghost", {}, kPasswd, kGroup);
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().message == "unable to find user ghost: no matching entries in passwd file");
  auto g = engine::process::resolve_user("app:ghosts", {}, kPasswd, kGroup);
  CHECK(g.error().message == "unable to find group ghosts: no matching entries in group file");
  auto a = engine::process::resolve_user("app", {"nope"}, kPasswd, kGroup);
  CHECK(a.error().message == "unable to find group nope: no matching entries in group file");
}

TEST_CASE("process: user lookup reads the first root that has /etc/passwd") {
  test::TempDir d;
  test::write_text(d / "upper/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnew:x:7:7::/n:/bin/sh\n");
  test::write_text(d / "lower/etc/passwd", kPasswd);
  test::write_text(d / "lower/etc/group", kGroup);
  auto u = engine::process::resolve_user_in_roots("new", {}, {d / "upper", d / "lower"});
  REQUIRE(u.ok());
  CHECK(u->uid == 7);
  CHECK_FALSE(engine::process::resolve_user_in_roots("app", {}, {d / "upper", d / "lower"}).ok());
}

TEST_CASE("process: find_executable searches PATH like execvp") {
  test::TempDir d;
  test::write_text(d / "bin/tool", "#!/bin/sh\n");
  test::write_text(d / "bin/data", "");
  REQUIRE(::chmod((d / "bin/tool").c_str(), 0755) == 0);
  std::vector<std::string> env{"PATH=" + (d / "nothing") + ":" + (d / "bin")};
  CHECK(engine::process::find_executable("tool", env) == d / "bin/tool");
  CHECK(engine::process::find_executable("data", env) == "");
  CHECK(engine::process::find_executable(d / "bin/tool", {}) == d / "bin/tool");
  CHECK(engine::process::find_executable("nope", env) == "");
  CHECK(engine::process::not_found_message("foo") == "exec: \"foo\": executable file not found in $PATH");
}
