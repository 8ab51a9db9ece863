// Health checks: the container's Healthcheck run by exec inside it on its schedule,
// with Docker's state machine (starting → healthy/unhealthy), the last results kept
// for inspect and health_status events emitted on every change.
#include <signal.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>

#include "engine/base/log.h"
#include "engine/base/time.h"
#include "engine/container/manager_impl.h"

namespace engine::container {

using namespace engine::base;
using nlohmann::json;

namespace {

constexpr int64_t kSecond = 1000000000LL;
constexpr size_t kMaxLog = 5;           // Docker keeps the last five results
constexpr size_t kMaxOutput = 4096;     // and at most 4 KiB of each one's output

struct Probe {
  std::vector<std::string> args;
  int64_t interval = 30 * kSecond, timeout = 30 * kSecond, start_period = 0, start_interval = 5 * kSecond;
  int retries = 3;
};

std::optional<Probe> probe_of(const json& cfg) {
  if (!cfg.contains("Healthcheck") || !cfg["Healthcheck"].is_object()) return std::nullopt;
  const json& h = cfg["Healthcheck"];
  if (!h.contains("Test") || !h["Test"].is_array() || h["Test"].empty()) return std::nullopt;
  std::vector<std::string> test;
  for (const auto& t : h["Test"])
    if (t.is_string()) test.push_back(t.get<std::string>());
  if (test.empty() || test[0] == "NONE") return std::nullopt;
  Probe p;
  if (test[0] == "CMD") p.args.assign(test.begin() + 1, test.end());
  else if (test[0] == "CMD-SHELL") p.args = {"/bin/sh", "-c", test.size() > 1 ? test[1] : ""};
  else return std::nullopt;
  if (p.args.empty()) return std::nullopt;
  auto dur = [&](const char* k, int64_t& out) {
    if (h.contains(k) && h[k].is_number() && h[k].get<int64_t>() > 0) out = h[k].get<int64_t>();
  };
  dur("Interval", p.interval);
  dur("Timeout", p.timeout);
  dur("StartPeriod", p.start_period);
  dur("StartInterval", p.start_interval);
  if (h.contains("Retries") && h["Retries"].is_number() && h["Retries"].get<int>() > 0) p.retries = h["Retries"].get<int>();
  return p;
}

}  // namespace

/// One probe: exec with a timeout; returns {exit code, output}.
static std::pair<int, std::string> run_probe(runtime::Runtime& rt, const std::string& id, const Probe& p) {
  runtime::ExecSpec spec;
  spec.args = p.args;
  auto proc = rt.exec_start(id, spec);
  if (!proc) return {-1, proc.error().str()};
  std::string out;
  int64_t deadline = now_ns() + p.timeout;
  bool timed_out = false;
  std::vector<int> fds;
  for (int fd : {proc->stdout_fd.get(), proc->stderr_fd.get()})
    if (fd >= 0) fds.push_back(fd);
  while (!fds.empty()) {
    int64_t left_ms = (deadline - now_ns()) / 1000000;
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    std::vector<pollfd> pfds;
    for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
    int n = ::poll(pfds.data(), pfds.size(), static_cast<int>(std::min<int64_t>(left_ms, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (const auto& pf : pfds) {
      if (!(pf.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t k = ::read(pf.fd, buf, sizeof buf);
      if (k <= 0) std::erase(fds, pf.fd);
      else if (out.size() < kMaxOutput) out.append(buf, size_t(std::min<ssize_t>(k, ssize_t(kMaxOutput - out.size()))));
    }
  }
  if (timed_out) {
    if (proc->pid > 0) ::kill(proc->pid, SIGKILL);
    (void)rt.exec_wait(*proc);
    return {-1, "Health check exceeded timeout (" + std::to_string(p.timeout / 1000000) + "ms)"};
  }
  auto done = rt.exec_wait(*proc);
  if (!done) return {-1, done.error().str()};
  if (!done->error.empty()) return {done->exit_code ? done->exit_code : -1, done->error};
  return {done->exit_code, out};
}

void Manager::Impl::health_loop(std::shared_ptr<Entry> e, uint64_t run) {
  Probe p;
  int64_t started;
  std::string id;
  {
    std::lock_guard lock(mu);
    auto probe = probe_of(e->c.config);
    if (!probe) return;
    p = *probe;
    started = e->c.state.started_ns;
    id = e->c.id;
  }
  auto alive = [&] {
    std::lock_guard lock(mu);
    return !closing && !e->removed && e->runs == run && e->c.state.status == "running";
  };
  // As Docker does: the first check runs one interval after the container started (not after
  // this thread got going), each later one an interval after the previous check ended; during
  // the start period, while still "starting", start_interval is used instead.
  int64_t since = started ? started : now_ns();
  for (;;) {
    bool starting;
    {
      std::lock_guard lock(mu);
      starting = e->c.state.health.status == "starting";
    }
    bool in_start = starting && now_ns() < started + p.start_period;
    int64_t due = since + (in_start ? std::min(p.start_interval, p.interval) : p.interval);
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(due - now_ns(), 0)), [&] {
        return closing || e->removed || e->runs != run || e->c.state.status != "running" || now_ns() >= due;
      });
    }
    if (!alive()) return;
    int64_t t0 = now_ns();
    auto [code, output] = run_probe(*d.runtime, id, p);
    int64_t t1 = now_ns();
    since = t1;
    if (!alive()) return;
    std::lock_guard lock(mu);
    HealthState& h = e->c.state.health;
    h.log.push_back({{"Start", format_rfc3339_nano(t0)}, {"End", format_rfc3339_nano(t1)}, {"ExitCode", code},
                     {"Output", output}});
    while (h.log.size() > kMaxLog) h.log.erase(h.log.begin());
    std::string before = h.status;
    if (code == 0) {
      h.status = "healthy";
      h.failing_streak = 0;
    } else if (!(t0 < started + p.start_period)) {
      // Failures inside the start period do not count.
      ++h.failing_streak;
      if (h.failing_streak >= p.retries) h.status = "unhealthy";
    }
    persist(e->c);
    if (h.status != before) {
      emit(e->c, "health_status: " + h.status);
      cv.notify_all();
    }
  }
}

}  // namespace engine::container
