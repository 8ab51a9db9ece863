list(APPEND ENGINE_TEST_SOURCES sys/fd_passing_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_sys)
