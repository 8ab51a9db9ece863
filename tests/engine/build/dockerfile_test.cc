#include "engine/build/dockerfile.h"

#include <doctest/doctest.h>

#include <map>

using engine::build::expand_vars;
using engine::build::parse_dockerfile;
using engine::build::parse_key_values;
using engine::build::split_words;

TEST_CASE("dockerfile: stages, comments, directives and continuations") {
  auto df = parse_dockerfile(
      "# syntax=docker/dockerfile:1\n"
      "# a comment\n"
      "ARG BASE=busybox\n"
      "FROM ${BASE} AS Build\n"
      "RUN echo a \\\n"
      "  # inner comment\n"
      "  && echo b\n"
      "\n"
      "copy --chown=1:2 --from=build a b /dst/\n"
      "FROM scratch\n"
      "CMD [\"/bin/sh\", \"-c\", \"x\"]\n");
  REQUIRE(df.ok());
  REQUIRE(df->global_args.size() == 1);
  REQUIRE(df->stages.size() == 2);
  const auto& s0 = df->stages[0];
  CHECK(s0.base == "${BASE}");
  CHECK(s0.name == "build");
  CHECK(s0.from.line == 4);
  REQUIRE(s0.instructions.size() == 2);
  CHECK(s0.instructions[0].keyword == "RUN");
  CHECK(s0.instructions[0].line == 5);
  CHECK(s0.instructions[0].args == "echo a  && echo b");
  CHECK_FALSE(s0.instructions[0].exec_form);
  const auto& cp = s0.instructions[1];
  CHECK(cp.keyword == "COPY");
  CHECK(cp.line == 9);
  CHECK(cp.flag("chown") == "1:2");
  CHECK(cp.flag("from") == "build");
  CHECK_FALSE(cp.flag("chmod").has_value());
  CHECK(cp.args == "a b /dst/");
  CHECK(cp.text() == "COPY --chown=1:2 --from=build a b /dst/");
  const auto& cmd = df->stages[1].instructions[0];
  CHECK(cmd.exec_form);
  CHECK(cmd.argv == std::vector<std::string>{"/bin/sh", "-c", "x"});
  CHECK(df->stages[1].base == "scratch");
}

TEST_CASE("dockerfile: unknown instruction names its line") {
  auto df = parse_dockerfile("FROM busybox\nRUN true\nFOO bar\n");
  REQUIRE_FALSE(df.ok());
  CHECK(df.error().message == "Dockerfile:3: unknown instruction: FOO");
}

TEST_CASE("dockerfile: errors for missing FROM") {
  CHECK(parse_dockerfile("").error().message == "Dockerfile: no FROM instruction");
  CHECK(parse_dockerfile("RUN x\n").error().message == "Dockerfile:1: no FROM before RUN");
  CHECK(parse_dockerfile("FROM a b\n").error().message == "Dockerfile:1: FROM: expected 'FROM image [AS name]'");
}

TEST_CASE("dockerfile: a malformed JSON array is shell form") {
  auto df = parse_dockerfile("FROM x\nCMD [not json\n");
  REQUIRE(df.ok());
  CHECK_FALSE(df->stages[0].instructions[0].exec_form);
  CHECK(df->stages[0].instructions[0].args == "[not json");
}

TEST_CASE("dockerfile: variable expansion") {
  std::map<std::string, std::string> vars{{"A", "1"}, {"EMPTY", ""}};
  auto look = [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  CHECK(expand_vars("$A ${A} x$A-y", look) == "1 1 x1-y");
  CHECK(expand_vars("${NOPE:-def} ${A:-def} ${EMPTY:-e}", look) == "def 1 e");
  CHECK(expand_vars("${A:+set} ${NOPE:+set}.", look) == "set .");
  CHECK(expand_vars("$NOPE|$ |\\$A", look) == "|$ |\\$A");
}

TEST_CASE("dockerfile: words and key values") {
  CHECK(split_words("a 'b c' \"d \\\" e\" f\\ g") == std::vector<std::string>{"a", "b c", "d \" e", "f g"});
  auto kv = parse_key_values("A=1 B=\"two words\"", true);
  REQUIRE(kv.ok());
  REQUIRE(kv->size() == 2);
  CHECK((*kv)[1].first == "B");
  CHECK((*kv)[1].second == "two words");
  auto legacy = parse_key_values("NAME some value here", true);
  REQUIRE(legacy.ok());
  CHECK((*legacy)[0].first == "NAME");
  CHECK((*legacy)[0].second == "some value here");
  CHECK_FALSE(parse_key_values("NAME value", false).ok());
}

TEST_CASE("dockerfile: heredocs") {
  auto df = parse_dockerfile(
      "FROM busybox\n"
      "RUN <<EOF\n"
      "echo one\n"
      "echo \"two\"\n"
      "EOF\n"
      "RUN cat <<-'A' > /a && cat <<B > /b\n"
      "\tliteral $X\n"
      "\tA\n"
      "expanded $X\n"
      "B\n"
      "COPY --chmod=600 <<-\"one\" <<two /dst/\n"
      "\tfirst\n"
      "\tone\n"
      "second\n"
      "two\n"
      "RUN echo '<<notheredoc' && cat <<< here\n"
      "CMD [\"sh\"]\n");
  REQUIRE_MESSAGE(df.ok(), df.error().message);
  const auto& ins = df->stages[0].instructions;
  REQUIRE(ins.size() == 5);
  CHECK(ins[0].line == 2);
  CHECK(ins[0].args == "echo one\necho \"two\"");  // the body is the script
  CHECK(ins[1].line == 6);
  CHECK(ins[1].args == "cat <<-'A' > /a && cat <<B > /b\n\tliteral $X\n\tA\nexpanded $X\nB");
  REQUIRE(ins[1].heredocs.size() == 2);
  CHECK(ins[1].heredocs[0].content == "literal $X\n");
  CHECK_FALSE(ins[1].heredocs[0].expand);
  CHECK(ins[1].heredocs[1].expand);
  const auto& cp = ins[2];
  CHECK(cp.line == 11);
  CHECK(cp.args == "<<-\"one\" <<two /dst/");
  CHECK(cp.flag("chmod") == "600");
  REQUIRE(cp.heredocs.size() == 2);
  CHECK(cp.heredocs[0].name == "one");
  CHECK(cp.heredocs[0].content == "first\n");
  CHECK(cp.heredocs[0].strip_tabs);
  CHECK(cp.heredocs[1].name == "two");
  CHECK(cp.heredocs[1].content == "second\n");
  CHECK(ins[3].line == 16);
  CHECK(ins[3].heredocs.empty());
  CHECK(ins[4].keyword == "CMD");
  CHECK(ins[4].line == 17);
}

TEST_CASE("dockerfile: heredoc errors name their line") {
  CHECK(parse_dockerfile("FROM a\nRUN <<EOF\necho\n").error().message == "Dockerfile:2: unterminated heredoc <<EOF");
  CHECK(parse_dockerfile("FROM a\n\nRUN <<EOF\n#!/usr/bin/env python3\nEOF\n").error().message.starts_with(
      "Dockerfile:3: RUN heredoc scripts with a #! line are not supported"));
  CHECK(parse_dockerfile("FROM a\nRUN <<A <<B\nA\nB\n").error().message ==
        "Dockerfile:2: RUN with several heredocs needs a command that reads them");
}
