// Main of every unit-test binary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/support/run_guard.h"

DOCTEST_REGISTER_LISTENER("case-counter", 1, test::CaseCounter);

int main(int argc, char** argv) {
  doctest::Context ctx(argc, argv);
  return run_guarded(ctx, argc, argv);
}
