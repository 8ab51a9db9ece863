# Unit tests for engine/cgroup: fake v1/v2 trees in temp dirs (no host cgroups touched).
list(APPEND ENGINE_TEST_SOURCES
  cgroup/fake_tree.cc
  cgroup/cgroup_test.cc
  cgroup/devices_test.cc
  cgroup/v1_test.cc
  cgroup/v2_test.cc
)
list(APPEND ENGINE_TEST_LIBS berth_cgroup)
