// berth build end to end: multi-stage (COPY --from, --target), --chown by name, ADD of an
// archive and of a URL served from 127.0.0.1, RUN output streamed while the step runs.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "tests/integration/daemon_fixture.h"
#include "tests/integration/image/registry_fixture.h"
#include "tests/support/test_util.h"

namespace {

const char* kMultiStage =
    "FROM busybox AS tools\n"
    "RUN mkdir /out && echo tool > /out/tool.txt\n"
    "FROM busybox\n"
    "RUN echo 'app:x:1234:1235::/:/bin/sh' >> /etc/passwd && echo 'grp:x:1235:' >> /etc/group\n"
    "COPY --from=tools --chown=app /out/tool.txt /srv/\n"
    "ARG URL\n"
    "ADD --chown=app:nogroup --chmod=640 $URL/page.txt /srv/\n"
    "ADD files.tgz /srv/\n"
    "CMD [\"sh\", \"-c\", \"stat -c '%u:%g %a %Y %n' /srv/tool.txt /srv/page.txt; cat /srv/tool.txt /srv/page.txt "
    "/srv/pkg/x.txt\"]\n";

}  // namespace

TEST_CASE("build: multi-stage COPY --from and --target, --chown by name, ADD of an archive and a URL") {
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir web;
  test::write_text(web / "page.txt", "page\n");
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (web / "page.txt").c_str(), times, 0) == 0);
  test::StaticHttpServer server(web.path());
  test::TempDir ctx;
  test::write_text(ctx / "Dockerfile", kMultiStage);
  test::write_text(ctx / "pkg/x.txt", "x\n");
  REQUIRE(test::run_command({"tar", "-C", ctx.path(), "-czf", ctx / "files.tgz", "pkg"}).exit_code == 0);
  std::filesystem::remove_all(ctx / "pkg");

  std::string tag = test::unique_name("multi") + ":1";
  auto b = d.berth({"build", "-t", tag, "--build-arg", "URL=" + server.url(), ctx.path()}, 120);
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  CHECK(b.out.find("Step 1/9 : FROM busybox AS tools\n") != std::string::npos);
  auto r = d.berth({"run", "--rm", tag}, 60);
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "1234:1235 644 0 /srv/tool.txt\n1234:65534 640 1000000000 /srv/page.txt\ntool\npage\nx\n");

  std::string tools = test::unique_name("tools") + ":1";
  auto t = d.berth({"build", "-q", "-t", tools, "--target", "tools", "--build-arg", "URL=" + server.url(), ctx.path()}, 120);
  REQUIRE_MESSAGE(t.exit_code == 0, (t.out + t.err));
  auto tr = d.berth({"run", "--rm", tools, "cat", "/out/tool.txt"}, 60);
  CHECK(tr.out == "tool\n");
  CHECK(d.berth({"run", "--rm", tools, "test", "-e", "/srv"}).exit_code == 1);
}

TEST_CASE("build: RUN output reaches the client while the step is still running") {
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir ctx;
  test::write_text(ctx / "Dockerfile", "FROM busybox\nRUN echo first-line && sleep 1 && echo second-line\n");
  std::string cmd;
  for (const auto& e : d.env()) cmd += "'" + e + "' ";
  cmd = "env " + cmd + "'" + test::bin("berth") + "' build --no-cache '" + ctx.path() + "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  using clock = std::chrono::steady_clock;
  clock::time_point first{}, second{};
  std::string all;
  char line[4096];
  while (std::fgets(line, sizeof line, p)) {
    std::string l(line);
    all += l;
    if (l.find("first-line") != std::string::npos) first = clock::now();
    if (l.find("second-line") != std::string::npos) second = clock::now();
  }
  int rc = ::pclose(p);
  REQUIRE_MESSAGE(rc == 0, all);
  REQUIRE(first != clock::time_point{});
  REQUIRE(second != clock::time_point{});
  CHECK(second - first > std::chrono::milliseconds(700));
}

TEST_CASE("build: FROM and COPY --from an image that is not stored are pulled from its registry") {
  test::Registry reg;
  test::DaemonFixture d;
  d.import_busybox();
  std::string remote = reg.host() + "/test/" + test::unique_name("bb") + ":1";
  REQUIRE(d.berth({"tag", "busybox", remote}).exit_code == 0);
  auto push = d.berth({"push", remote}, 60);
  REQUIRE_MESSAGE(push.exit_code == 0, (push.out + push.err));
  REQUIRE(d.berth({"rmi", remote}).exit_code == 0);
  test::TempDir ctx;
  test::write_text(ctx / "Dockerfile", "FROM " + remote + "\nCOPY --from=" + remote + " /etc/passwd /copied\n");
  auto b = d.berth({"build", "-t", test::unique_name("pulled") + ":1", ctx.path()}, 120);
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  CHECK(d.berth({"image", "inspect", remote}).exit_code == 0);
}
