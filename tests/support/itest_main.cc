// Main of every integration-test binary: exits 77 (skip) when not root, so CTest
// reports the tests as skipped rather than passed. CI runs as root.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "tests/support/run_guard.h"

DOCTEST_REGISTER_LISTENER("case-counter", 1, test::CaseCounter);

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list-test", 11) == 0 || std::strncmp(argv[i], "-ltc", 4) == 0) listing = true;
  if (!listing && ::geteuid() != 0) {
    std::fprintf(stderr, "integration tests need root (namespaces, mounts, cgroups): skipped\n");
    return 77;
  }
  doctest::Context ctx(argc, argv);
  return run_guarded(ctx, argc, argv);
}
