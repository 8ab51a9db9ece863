#pragma once
/// DaemonFixture: a berthd of the test's own, on a temporary root and socket, stopped
/// (and its leftovers removed) when the fixture ends, also when the test fails.
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "tests/support/test_util.h"

namespace test {

/// Path of a built binary (berth, berthd, berth-shim).
std::string bin(const std::string& name);

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

 private:
  TempDir dir_;
  std::string root_, host_;
  int pid_ = -1;
};

}  // namespace test
