#pragma once
/// RuntimeFixture: a busybox rootfs (busybox-static plus applet symlinks, /etc/passwd and
/// /etc/group), a LinuxRuntime on a temporary state root, and a spec builder. On
/// destruction every container it made is killed and removed, even when a check failed.
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/runtime.h"
#include "tests/support/test_util.h"

namespace test {

class RuntimeFixture {
 public:
  RuntimeFixture();
  ~RuntimeFixture();

  /// A spec running ARGS in the busybox rootfs with new pid/mount/uts/ipc/net namespaces,
  /// its own cgroup (berth-test/<id>) and a json-file log in the bundle.
  engine::runtime::ContainerSpec spec(const std::vector<std::string>& args);
  /// create + start; fails the test on error.
  engine::runtime::ContainerState run(const engine::runtime::ContainerSpec& s);
  /// create + start + wait; returns the final state.
  engine::runtime::ContainerState run_to_exit(const engine::runtime::ContainerSpec& s);
  /// stdout (or stderr) lines of a container's log joined.
  std::string log_text(const engine::runtime::ContainerSpec& s, const std::string& stream = "stdout");

  engine::runtime::Runtime& rt() { return *rt_; }
  const std::string& rootfs() const { return rootfs_; }
  const std::string& state_root() const { return state_root_; }
  /// Lines of /proc/self/mountinfo that mention PATH.
  static int mounts_under(const std::string& path);

 private:
  TempDir dir_;
  std::string rootfs_, state_root_;
  std::unique_ptr<engine::runtime::Runtime> rt_;
  std::vector<std::string> ids_;
};

/// Reads an attach connection to EOF and splits Docker's multiplexed frames into (stdout, stderr).
std::pair<std::string, std::string> read_frames(int conn);

/// Builds a busybox rootfs at DIR.
void make_busybox_rootfs(const std::string& dir);

}  // namespace test
