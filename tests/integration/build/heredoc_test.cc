// berth build with Dockerfile heredocs: RUN <<EOF scripts, a command reading its own
// heredocs, and COPY <<EOF files (variables expanded unless the delimiter is quoted);
// RUN --mount=type=cache keeps its directory between builds and out of the layer.
#include <doctest/doctest.h>

#include "tests/integration/daemon_fixture.h"
#include "tests/support/test_util.h"

TEST_CASE("build: RUN and COPY heredocs and a RUN cache mount") {
  test::DaemonFixture d;
  d.import_busybox();
  test::TempDir ctx;
  test::write_text(ctx.path() + "/Dockerfile",
                   "FROM busybox\n"
                   "ARG WHO=world\n"
                   "RUN <<EOF\n"
                   "mkdir -p /out\n"
                   "echo \"script $WHO\" > /out/script\n"
                   "EOF\n"
                   "RUN cat <<'RAW' > /out/raw && cat <<-TABS > /out/tabs\n"
                   "kept $WHO\n"
                   "RAW\n"
                   "\ttab $WHO\n"
                   "\tTABS\n"
                   "COPY <<GREETING <<'LITERAL' /out/\n"
                   "hello $WHO\n"
                   "GREETING\n"
                   "as is $WHO\n"
                   "LITERAL\n"
                   "RUN --mount=type=cache,target=/cachedir echo x >> /cachedir/n && wc -l < /cachedir/n > /out/n\n"
                   "CMD [\"sh\", \"-c\", \"cat /out/script /out/raw /out/tabs /out/GREETING /out/LITERAL /out/n; "
                   "test -e /cachedir || echo no cache dir\"]\n");
  std::string tag = test::unique_name("heredoc") + ":1";
  auto b = d.berth({"build", "-t", tag, "--build-arg", "WHO=berth", ctx.path()}, 120);
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  auto r = d.berth({"run", "--rm", tag}, 60);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "script berth\nkept $WHO\ntab berth\nhello berth\nas is $WHO\n1\nno cache dir\n");
  // The cache directory outlives the build: a rebuild without the step cache sees it.
  auto again = d.berth({"build", "--no-cache", "-t", tag, "--build-arg", "WHO=berth", ctx.path()}, 120);
  REQUIRE_MESSAGE(again.exit_code == 0, (again.out + again.err));
  CHECK(d.berth({"run", "--rm", tag, "cat", "/out/n"}, 60).out == "2\n");
}
