list(APPEND ENGINE_TEST_SOURCES runtime/spec_test.cc runtime/log_file_test.cc runtime/fake_runtime_test.cc runtime/deferred_remover_test.cc)
list(APPEND ENGINE_TEST_LIBS berth_runtime berth_shim_lib)
