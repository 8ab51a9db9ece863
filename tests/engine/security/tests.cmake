# Unit tests for engine/security (seccomp and rlimits run in forked children, no root needed).
list(APPEND ENGINE_TEST_SOURCES
  security/capabilities_test.cc
  security/rlimits_test.cc
  security/seccomp_test.cc
)
list(APPEND ENGINE_TEST_LIBS berth_security)
