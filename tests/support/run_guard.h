#pragma once
/// Guards against a test run that ran nothing: CTest runs each doctest case by name
/// (--test-case=NAME); if a name ever fails to match (CMake list splitting, doctest's
/// comma rules) doctest would report success with zero assertions. The listener counts
/// the cases started; main fails when a name was given and none ran.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>

namespace test {

inline std::atomic<int> g_cases_started{0};

struct CaseCounter : doctest::IReporter {
  explicit CaseCounter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { ++g_cases_started; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

/// True when argv names test cases (--test-case= / -tc=) .
inline bool names_cases(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--test-case=", 12) == 0 || std::strncmp(argv[i], "-tc=", 4) == 0) return true;
  return false;
}

}  // namespace test

/// Runs doctest; fails if test cases were named but none ran.
inline int run_guarded(doctest::Context& ctx, int argc, char** argv) {
  int rc = ctx.run();
  if (rc == 0 && !ctx.shouldExit() && test::names_cases(argc, argv) && test::g_cases_started == 0) {
    std::fprintf(stderr, "no test case matched the given name: nothing ran (rename the test: no ';' in names)\n");
    return 1;
  }
  return rc;
}
