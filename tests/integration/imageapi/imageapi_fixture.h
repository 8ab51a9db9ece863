#pragma once
/// Shared pieces of the image API tests: a busybox-static rootfs tarball built in a temp
/// directory (busybox plus applet links, /etc/passwd) and CLI helpers.
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace test {

/// Writes <dir>/rootfs.tar.gz: /bin/busybox with sh, echo, cat, ls links and /etc/passwd.
std::string busybox_rootfs_tarball(const TempDir& dir);
/// Runs berth against d with extra environment entries.
CommandResult berth_env(const DaemonFixture& d, const std::vector<std::string>& args,
                        const std::vector<std::string>& extra_env, const std::string& input = {});
/// Imports the busybox rootfs as ref; returns the image ID ("sha256:...").
std::string import_busybox(const DaemonFixture& d, const TempDir& dir, const std::string& ref);
/// Splits output into lines (no trailing empty line).
std::vector<std::string> lines(const std::string& out);

}  // namespace test
