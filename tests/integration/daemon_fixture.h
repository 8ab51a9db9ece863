#pragma once
/// DaemonFixture: a berthd of the test's own, on a temporary root and socket, stopped
/// (and its leftovers removed) when the fixture ends, also when the test fails.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/api_client.h"
#include "tests/support/test_util.h"

namespace test {

/// Path of a built binary (berth, berthd, berth-shim).
std::string bin(const std::string& name);

/// A tar of a busybox-static root filesystem (bin/ with applet links, etc/passwd, tmp, ...),
/// built once per process under a temporary directory.
const std::string& busybox_rootfs_tar();

class DaemonFixture {
 public:
  /// Starts berthd --root <tmp>/root --host unix://<tmp>/berth.sock and waits for /_ping.
  DaemonFixture();
  ~DaemonFixture();
  DaemonFixture(const DaemonFixture&) = delete;
  DaemonFixture& operator=(const DaemonFixture&) = delete;

  const std::string& host() const { return host_; }
  const std::string& root() const { return root_; }
  std::string socket() const { return host_.substr(7); }
  cli::ApiClient client() const { return cli::ApiClient(host_); }
  /// Environment for running `berth` against this daemon.
  std::vector<std::string> env() const;
  /// Runs the berth CLI against this daemon.
  CommandResult berth(const std::vector<std::string>& args, int timeout_s = 60, const std::string& input = {}) const;
  /// pid of the daemon (from its pid file).
  int pid() const;
  /// Sends SIGTERM and waits for the daemon to exit.
  void stop();
  /// Imports a busybox-static root filesystem as REF (default "busybox:latest").
  void import_busybox(const std::string& ref = "busybox:latest") const;
  /// Linux bridge and nftables table names of this daemon (unique per fixture).
  const std::string& bridge() const { return bridge_; }
  const std::string& nft_table() const { return nft_table_; }
  /// Removes every container and user network (called by the destructor too).
  void remove_all_objects() const;

 private:
  TempDir dir_;
  std::string root_, host_, bridge_, nft_table_;
  int pid_ = -1;
};

/// S without leading and trailing white space (CLI output lines).
std::string trimmed(const std::string& s);

/// GET /containers/{id}/json from D's daemon; fails the test when it is not there.
inline nlohmann::json inspect(const DaemonFixture& d, const std::string& id) {
  auto r = d.client().request("GET", "/containers/" + id + "/json");
  REQUIRE(r);
  REQUIRE(r->ok());
  return r->json();
}

}  // namespace test
