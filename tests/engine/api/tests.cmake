list(APPEND ENGINE_TEST_SOURCES api/router_test.cc api/filters_test.cc api/archive_test.cc api/update_test.cc
     api/request_parse_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_api)
