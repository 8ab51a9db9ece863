#include "engine/sys/fd_passing.h"

#include <doctest/doctest.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/sys/syscalls.h"

using engine::base::UniqueFd;

TEST_CASE("sys: send_fds passes a descriptor and its data over a socketpair") {
  int sp[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  UniqueFd a(sp[0]), b(sp[1]);
  int p[2];
  REQUIRE(::pipe(p) == 0);
  UniqueFd r(p[0]), w(p[1]);
  REQUIRE(engine::sys::send_fds(a.get(), "ok\n", {w.get()}).ok());
  std::vector<UniqueFd> fds;
  auto data = engine::sys::recv_fds(b.get(), 16, &fds);
  REQUIRE(data.ok());
  CHECK(*data == "ok\n");
  REQUIRE(fds.size() == 1);
  REQUIRE(engine::sys::write_all(fds[0].get(), "x").ok());
  char c = 0;
  CHECK(::read(r.get(), &c, 1) == 1);
  CHECK(c == 'x');
}

TEST_CASE("sys: read_line reads up to the newline, EOF first is an error") {
  int sp[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  UniqueFd a(sp[0]), b(sp[1]);
  REQUIRE(engine::sys::write_all(a.get(), "exited 3\npartial").ok());
  a.reset();
  auto line = engine::sys::read_line(b.get());
  REQUIRE(line.ok());
  CHECK(*line == "exited 3");
  CHECK_FALSE(engine::sys::read_line(b.get()).ok());
}

TEST_CASE("sys: write_all to a closed pipe gives EPIPE, not SIGPIPE") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  ::close(p[0]);
  auto st = engine::sys::write_all(p[1], "data");
  ::close(p[1]);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().sys_errno == EPIPE);
}

TEST_CASE("sys: namespace names map to clone flags and /proc/<pid>/ns files") {
  CHECK(*engine::sys::namespace_flag("network") == CLONE_NEWNET);
  CHECK(*engine::sys::namespace_flag("mount") == CLONE_NEWNS);
  CHECK(*engine::sys::namespace_file("mount") == "mnt");
  CHECK(*engine::sys::namespace_file("net") == "net");
  auto bad = engine::sys::namespace_flag("time2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unknown namespace type \"time2\"");
}

TEST_CASE("sys: listen_unix and connect_unix talk") {
  char tmpl[] = "/tmp/berth-sock-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  std::string path = std::string(tmpl) + "/s.sock";
  auto l = engine::sys::listen_unix(path);
  REQUIRE(l.ok());
  auto c = engine::sys::connect_unix(path);
  REQUIRE(c.ok());
  ::unlink(path.c_str());
  ::rmdir(tmpl);
  CHECK_FALSE(engine::sys::connect_unix(path).ok());
}
