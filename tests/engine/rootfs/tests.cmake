list(APPEND ENGINE_TEST_SOURCES rootfs/plan_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_rootfs)
