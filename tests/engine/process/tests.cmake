list(APPEND ENGINE_TEST_SOURCES process/user_test.cc process/sync_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_process)
