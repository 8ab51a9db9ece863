list(APPEND ENGINE_TEST_SOURCES api/router_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_api)
