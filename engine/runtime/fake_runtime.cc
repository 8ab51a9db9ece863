#include "engine/runtime/fake_runtime.h"

#include <signal.h>

#include "engine/base/time.h"

namespace engine::runtime {

using base::Result;
using base::Status;
using S = ContainerState::Status;

Result<FakeRuntime::Entry*> FakeRuntime::find(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return base::not_found("no such container: " + id);
  return &it->second;
}

Result<ContainerState> FakeRuntime::create(const ContainerSpec& spec, const std::string&) {
  std::lock_guard lock(mu_);
  calls_.push_back("create " + spec.id);
  BERTH_TRY(validate_spec(spec));
  if (entries_.count(spec.id)) return base::conflict("container " + spec.id + " already exists");
  Entry& e = entries_[spec.id];
  e.spec = spec;
  e.state.id = spec.id;
  e.state.status = S::Created;
  e.state.pid = next_pid_++;
  return e.state;
}

Status FakeRuntime::start(const std::string& id) {
  std::lock_guard lock(mu_);
  calls_.push_back("start " + id);
  auto e = find(id);
  if (!e) return e.take_error();
  Entry& en = **e;
  if (en.state.status != S::Created) return base::precondition("container " + id + " is not in created state");
  en.state.started_at_ns = base::now_ns();
  if (!en.start_error.empty()) {
    en.state.status = S::Stopped;
    en.state.exit_code = 127;
    en.state.error = en.start_error;
    en.state.finished_at_ns = base::now_ns();
    return base::invalid("start container " + id + ": " + en.start_error);
  }
  en.state.status = S::Running;
  return {};
}

Status FakeRuntime::kill(const std::string& id, int sig) {
  std::lock_guard lock(mu_);
  calls_.push_back("kill " + id + " " + std::to_string(sig));
  auto e = find(id);
  if (!e) return e.take_error();
  ContainerState& st = (*e)->state;
  if (st.status == S::Stopped) return base::precondition("container " + id + " is not running");
  if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
    st.status = S::Stopped;
    st.exit_code = 128 + sig;
    st.pid = 0;
    st.finished_at_ns = base::now_ns();
  }
  return {};
}

Result<ContainerState> FakeRuntime::stop(const std::string& id, int sig, int timeout_s) {
  {
    std::lock_guard lock(mu_);
    calls_.push_back("stop " + id + " " + std::to_string(sig) + " " + std::to_string(timeout_s));
    auto e = find(id);
    if (!e) return e.take_error();
    ContainerState& st = (*e)->state;
    if (st.status != S::Stopped) {
      st.status = S::Stopped;
      st.exit_code = 128 + (sig > 0 ? sig : SIGKILL);
      st.pid = 0;
      st.finished_at_ns = base::now_ns();
    }
    return st;
  }
}

Status FakeRuntime::pause(const std::string& id) {
  std::lock_guard lock(mu_);
  calls_.push_back("pause " + id);
  auto e = find(id);
  if (!e) return e.take_error();
  if ((*e)->state.status != S::Running) return base::precondition("container " + id + " is not running");
  (*e)->state.status = S::Paused;
  return {};
}

Status FakeRuntime::resume(const std::string& id) {
  std::lock_guard lock(mu_);
  calls_.push_back("resume " + id);
  auto e = find(id);
  if (!e) return e.take_error();
  if ((*e)->state.status != S::Paused) return base::precondition("container " + id + " is not paused");
  (*e)->state.status = S::Running;
  return {};
}

Result<ContainerState> FakeRuntime::state(const std::string& id) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (!e) return e.take_error();
  return (*e)->state;
}

Result<ContainerState> FakeRuntime::wait(const std::string& id, int) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (!e) return e.take_error();
  if ((*e)->state.status != S::Stopped)
    return base::make_error(base::Code::Unavailable, "timed out waiting for container " + id);
  return (*e)->state;
}

Status FakeRuntime::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  calls_.push_back("remove " + id);
  auto e = find(id);
  if (!e) return e.take_error();
  S s = (*e)->state.status;
  if (s == S::Running || s == S::Paused) return base::precondition("container " + id + " is running: stop it first");
  entries_.erase(id);
  return {};
}

Result<std::vector<std::string>> FakeRuntime::list() {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, e] : entries_) ids.push_back(id);
  return ids;
}

Result<ExecProcess> FakeRuntime::exec_start(const std::string& id, const ExecSpec&) {
  return base::make_error(base::Code::Unavailable, "fake runtime: exec_start of " + id + " is not supported");
}

Result<ExecExit> FakeRuntime::exec_wait(ExecProcess&) {
  return base::make_error(base::Code::Unavailable, "fake runtime: exec_wait is not supported");
}

Result<ExecExit> FakeRuntime::exec_wait_key(const std::string& id, const std::string& key, int) {
  return base::not_found("fake runtime: no exec " + key + " in " + id);
}

Result<ExecResult> FakeRuntime::exec(const std::string& id, const ExecSpec& spec, const std::string&) {
  std::lock_guard lock(mu_);
  calls_.push_back("exec " + id + " " + (spec.args.empty() ? std::string() : spec.args[0]));
  auto e = find(id);
  if (!e) return e.take_error();
  if ((*e)->state.status != S::Running) return base::precondition("container " + id + " is not running");
  return (*e)->exec_result;
}

Result<AttachStream> FakeRuntime::attach(const std::string& id) {
  return base::make_error(base::Code::Unavailable, "fake runtime: attach to " + id + " is not supported");
}

Status FakeRuntime::resize(const std::string& id, unsigned, unsigned) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (!e) return e.take_error();
  return {};
}

Status FakeRuntime::close_stdin(const std::string& id) {
  std::lock_guard lock(mu_);
  calls_.push_back("close_stdin " + id);
  auto e = find(id);
  if (!e) return e.take_error();
  return {};
}

Result<cgroup::Stats> FakeRuntime::stats(const std::string& id) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (!e) return e.take_error();
  return cgroup::Stats{};
}

void FakeRuntime::exit(const std::string& id, int code) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (!e) return;
  (*e)->state.status = S::Stopped;
  (*e)->state.exit_code = code;
  (*e)->state.pid = 0;
  (*e)->state.finished_at_ns = base::now_ns();
}

void FakeRuntime::fail_start(const std::string& id, const std::string& message) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (e) (*e)->start_error = message;
}

void FakeRuntime::script_exec(const std::string& id, ExecResult result) {
  std::lock_guard lock(mu_);
  auto e = find(id);
  if (e) (*e)->exec_result = std::move(result);
}

std::vector<std::string> FakeRuntime::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

Result<ContainerSpec> FakeRuntime::spec(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return base::not_found("no such container: " + id);
  return it->second.spec;
}

}  // namespace engine::runtime
