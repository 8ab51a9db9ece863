#include <chrono>
#include <string>
#include <thread>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Result;
using engine::base::Status;

namespace {

constexpr auto kFreezeTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(2);

/// Polls done() until it returns true or the timeout passes; retry() is called every 50 polls
/// (a v1 freeze can stall on a task that is forking; rewriting the state nudges it, as runc does).
template <class Done, class Retry>
Status wait_for(const std::string& what, Done done, Retry retry) {
  auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
  for (int i = 1;; ++i) {
    auto r = done();
    if (!r) return r.take_error();
    if (*r) return {};
    if (std::chrono::steady_clock::now() > deadline)
      return engine::base::make_error(engine::base::Code::Unavailable, what + ": timed out");
    std::this_thread::sleep_for(kPollInterval);
    if (i % 50 == 0) BERTH_TRY(retry());
  }
}

Result<bool> v1_state_is(const std::string& dir, const char* want) {
  auto st = read_value(dir, "freezer.state");
  if (!st) return st.take_error();
  return *st == want;
}

Result<bool> v2_frozen_is(const std::string& dir, uint64_t want) {
  auto ev = read_keyed(dir, "cgroup.events");
  if (!ev) return ev.take_error();
  auto it = ev->find("frozen");
  return it != ev->end() && it->second == want;
}

}  // namespace

Status freeze_v1(const std::string& dir) {
  BERTH_TRY(write_value(dir, "freezer.state", "FROZEN"));
  Status st = wait_for(
      "freeze " + dir, [&] { return v1_state_is(dir, "FROZEN"); },
      [&] { return write_value(dir, "freezer.state", "FROZEN"); });
  if (!st) (void)write_value(dir, "freezer.state", "THAWED");  // never leave it half frozen
  return st;
}

Status thaw_v1(const std::string& dir) {
  BERTH_TRY(write_value(dir, "freezer.state", "THAWED"));
  return wait_for(
      "thaw " + dir, [&] { return v1_state_is(dir, "THAWED"); },
      [&] { return write_value(dir, "freezer.state", "THAWED"); });
}

Result<bool> frozen_v1(const std::string& dir) { return v1_state_is(dir, "FROZEN"); }

Status freeze_v2(const std::string& dir) {
  BERTH_TRY(write_value(dir, "cgroup.freeze", "1"));
  Status st = wait_for(
      "freeze " + dir, [&] { return v2_frozen_is(dir, 1); }, [] { return Status{}; });
  if (!st) (void)write_value(dir, "cgroup.freeze", "0");
  return st;
}

Status thaw_v2(const std::string& dir) {
  BERTH_TRY(write_value(dir, "cgroup.freeze", "0"));
  return wait_for(
      "thaw " + dir, [&] { return v2_frozen_is(dir, 0); }, [] { return Status{}; });
}

Result<bool> frozen_v2(const std::string& dir) { return v2_frozen_is(dir, 1); }

}  // namespace engine::cgroup
