#include "engine/build/image_config.h"

#include <doctest/doctest.h>

using engine::build::apply_metadata;
using engine::build::parse_dockerfile;
using engine::build::StageState;

namespace {

/// Applies every instruction of a one-stage Dockerfile to a fresh state.
StageState apply_all(const std::string& text, const std::map<std::string, std::string>& build_args = {}) {
  auto df = parse_dockerfile(text);
  REQUIRE(df.ok());
  StageState st;
  for (const auto& ins : df->stages[0].instructions) {
    auto r = apply_metadata(ins, st, build_args);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
  }
  return st;
}

}  // namespace

TEST_CASE("image config: env, args and substitution") {
  auto st = apply_all(
      "FROM x\nARG V=def\nARG W\nENV A=$V B=${W:-none}\nENV LEGACY hello world\nENV A=again\nWORKDIR /app\n"
      "WORKDIR sub\nUSER ${V}\nLABEL k=v \"x y\"=z\n",
      {{"W", "cli"}});
  CHECK(st.config.env == std::vector<std::string>{"A=again", "B=cli", "LEGACY=hello world"});
  CHECK(st.config.working_dir == "/app/sub");
  CHECK(st.config.user == "def");
  CHECK(st.config.labels.at("k") == "v");
  CHECK(st.config.labels.at("x y") == "z");
}

TEST_CASE("image config: commands, shell and ports") {
  auto st = apply_all(
      "FROM x\nCMD echo hi\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT [\"/e\"]\nEXPOSE 80 53/udp 80\n"
      "VOLUME /data /logs\nSTOPSIGNAL SIGTERM\n");
  CHECK_FALSE(st.config.cmd.has_value());
  CHECK(*st.config.entrypoint == std::vector<std::string>{"/e"});
  CHECK(st.shell == std::vector<std::string>{"/bin/bash", "-c"});
  CHECK(st.config.exposed_ports == std::vector<std::string>{"53/udp", "80/tcp"});
  CHECK(st.config.volumes == std::vector<std::string>{"/data", "/logs"});
  CHECK(st.config.stop_signal == "SIGTERM");
  auto st2 = apply_all("FROM x\nCMD echo hi\n");
  CHECK(*st2.config.cmd == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
}

TEST_CASE("image config: healthcheck") {
  auto st = apply_all("FROM x\nHEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD curl -f x\n");
  REQUIRE(st.config.healthcheck.has_value());
  CHECK(st.config.healthcheck->test == std::vector<std::string>{"CMD-SHELL", "curl -f x"});
  CHECK(st.config.healthcheck->interval_ns == 90'000'000'000LL);
  CHECK(st.config.healthcheck->timeout_ns == 500'000'000LL);
  CHECK(st.config.healthcheck->retries == 3);
  auto none = apply_all("FROM x\nHEALTHCHECK NONE\n");
  CHECK(none.config.healthcheck->test == std::vector<std::string>{"NONE"});
  auto exec = apply_all("FROM x\nHEALTHCHECK CMD [\"/bin/true\"]\n");
  CHECK(exec.config.healthcheck->test == std::vector<std::string>{"CMD", "/bin/true"});
}
