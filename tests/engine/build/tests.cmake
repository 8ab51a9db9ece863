# engine/build unit tests: Dockerfile parser and metadata instructions (pure).
list(APPEND ENGINE_TEST_SOURCES
  build/add_source_test.cc
  build/builder_test.cc
  build/chown_test.cc
  build/dockerfile_test.cc
  build/dockerignore_test.cc
  build/diff_tar_test.cc
  build/image_config_test.cc
  build/layer_view_test.cc
  build/run_mounts_test.cc
  build/run_step_test.cc
)
list(APPEND ENGINE_TEST_LIBS berth_build)
