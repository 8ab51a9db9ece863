list(APPEND ENGINE_TEST_SOURCES volume/volume_store_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_volume)
