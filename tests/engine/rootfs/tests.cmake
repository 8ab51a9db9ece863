list(APPEND ENGINE_TEST_SOURCES rootfs/plan_test.cc rootfs/secure_path_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_rootfs)
