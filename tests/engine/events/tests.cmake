list(APPEND ENGINE_TEST_SOURCES events/bus_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_events berth_api)
