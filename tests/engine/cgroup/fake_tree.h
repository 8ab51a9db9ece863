#pragma once
/// Fake cgroup trees in a temp dir, laid out like the kernel's: unit tests point the cgroup
/// code at them and read back what it wrote, byte for byte.
#include <string>
#include <vector>

namespace test::cgroup {

/// v1 root: one directory per controller with root-level files (cpuset.cpus "0-1", ...).
/// hybrid adds unified/ with a controller-less cgroup2 root.
void make_v1_root(const std::string& root, bool hybrid = false, bool memsw = true);
/// Pre-creates rel in every v1 controller (as the kernel populates a new cgroup); controllers
/// empty means all. Files hold kernel defaults.
void make_v1_leaf(const std::string& root, const std::string& rel, bool memsw = true,
                  const std::vector<std::string>& controllers = {});
/// v2 root offering controllers ("cpu cpuset io memory pids").
void make_v2_root(const std::string& root, const std::string& controllers = "cpu cpuset io memory pids");
/// Pre-creates rel (and its parents) with the files the enabled controllers provide.
void make_v2_leaf(const std::string& root, const std::string& rel,
                  const std::string& controllers = "cpu cpuset io memory pids");
/// Contents of a file ("" if absent).
std::string slurp(const std::string& path);
/// True when path exists.
bool exists(const std::string& path);

}  // namespace test::cgroup
