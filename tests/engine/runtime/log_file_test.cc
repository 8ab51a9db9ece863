#include "engine/runtime/log_file.h"

#include <doctest/doctest.h>

#include "engine/base/fs.h"
#include "engine/shim/log_writer.h"
#include "tests/support/test_util.h"

TEST_CASE("runtime: json-file log lines are split at newlines and keep streams apart") {
  test::TempDir d;
  std::string path = d / "c-json.log";
  {
    engine::shim::LogWriter w(path, 0, 1);
    w.feed("stdout", "a\nb");
    w.feed("stderr", "err \"quoted\"\t\n");
    w.feed("stdout", "c\n");
    w.feed("stdout", "tail-without-newline");
    w.flush();
  }
  auto entries = engine::runtime::read_log(path);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 4);
  CHECK((*entries)[0].line == "a\n");
  CHECK((*entries)[1].stream == "stderr");
  CHECK((*entries)[1].line == "err \"quoted\"\t\n");
  CHECK((*entries)[2].line == "bc\n");
  CHECK((*entries)[3].line == "tail-without-newline");
  auto text = engine::base::read_file(path);
  REQUIRE(text.ok());
  CHECK(text->find(R"({"log":"a\n","stream":"stdout","time":")") == 0);
  CHECK(text->find(R"("log":"err \"quoted\"\t\n","stream":"stderr")") != std::string::npos);

  engine::runtime::LogReadOptions only_err;
  only_err.stdout_stream = false;
  auto errs = engine::runtime::read_log(path, only_err);
  REQUIRE(errs.ok());
  CHECK(errs->size() == 1);
  engine::runtime::LogReadOptions tail;
  tail.tail = 2;
  auto last = engine::runtime::read_log(path, tail);
  REQUIRE(last->size() == 2);
  CHECK((*last)[1].line == "tail-without-newline");
}

TEST_CASE("runtime: json-file log rotates at max-size and keeps max-file files") {
  test::TempDir d;
  std::string path = d / "c-json.log";
  engine::shim::LogWriter w(path, 300, 3);
  for (int i = 0; i < 40; ++i) w.feed("stdout", "line " + std::to_string(i) + "\n");
  CHECK(engine::base::path_exists(path + ".1"));
  CHECK(engine::base::path_exists(path + ".2"));
  CHECK_FALSE(engine::base::path_exists(path + ".3"));
  auto entries = engine::runtime::read_log(path);
  REQUIRE(entries.ok());
  REQUIRE_FALSE(entries->empty());
  CHECK(entries->back().line == "line 39\n");
  for (size_t i = 1; i < entries->size(); ++i) {
    int prev = std::atoi((*entries)[i - 1].line.c_str() + 5), cur = std::atoi((*entries)[i].line.c_str() + 5);
    CHECK(cur == prev + 1);
  }
  for (const char* f : {"", ".1", ".2"}) CHECK(engine::base::read_file(path + f)->size() <= 300);
}

TEST_CASE("runtime: LogFollower returns appended entries and survives rotation") {
  test::TempDir d;
  std::string path = d / "c-json.log";
  engine::shim::LogWriter w(path, 250, 2);
  w.feed("stdout", "before\n");
  engine::runtime::LogFollower f(path);
  auto none = f.next(10);
  REQUIRE(none.ok());
  CHECK(none->empty());
  w.feed("stdout", "one\n");
  auto got = f.next(1000);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].line == "one\n");
  for (int i = 0; i < 5; ++i) w.feed("stdout", "x" + std::to_string(i) + "\n");
  std::vector<std::string> seen;
  for (int i = 0; i < 10 && (seen.empty() || seen.back() != "x4\n"); ++i) {
    auto batch = f.next(100);
    REQUIRE(batch.ok());
    for (const auto& e : *batch) seen.push_back(e.line);
  }
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == "x4\n");
}

TEST_CASE("runtime: malformed log lines are errors") {
  CHECK_FALSE(engine::runtime::parse_log_line("{").ok());
  auto e = engine::runtime::parse_log_line(R"({"log":"hi\n","stream":"stderr","time":"2026-11-28T06:30:00.5Z"})");
  REQUIRE(e.ok());
  CHECK(e->stream == "stderr");
  CHECK(e->time_ns % 1000000000 == 500000000);
}
