# engine/image unit tests (no root needed; whiteout devices are checked only when root).
list(APPEND ENGINE_TEST_SOURCES
  image/archive_test.cc
  image/config_test.cc
  image/digest_test.cc
  image/reference_test.cc
  image/registry_auth_test.cc
  image/service_test.cc
  image/staging_test.cc
  image/tar_builder.cc
  image/unpack_test.cc
)
list(APPEND ENGINE_TEST_LIBS berth_image)
