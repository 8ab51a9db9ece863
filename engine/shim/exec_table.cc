#include "engine/shim/exec_table.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/time.h"
#include "engine/runtime/spawn.h"
#include "engine/runtime/status_file.h"
#include "engine/sys/syscalls.h"

namespace engine::shim {

using base::Result;
using base::UniqueFd;

ExecTable::~ExecTable() = default;

Result<pid_t> ExecTable::start(const std::string& key, const std::string& spec_json, std::vector<UniqueFd> fds) {
  if (fds.size() < 4) return base::invalid("exec needs stdin, stdout, stderr and an error pipe");
  if (key.find('/') != std::string::npos || key == "." || key == "..") return base::invalid("bad exec key " + key);
  std::string helper = base::self_exe_dir() + "/berth-shim";
  int stdio[3] = {fds[0].get(), fds[1].get(), fds[2].get()};
  auto pid = runtime::spawn({helper, "exec", "--bundle", bundle_, "--pid", std::to_string(container_pid_), "--spec",
                             spec_json, "--error-fd", "3"},
                            stdio, fds[3].get());
  if (!pid) return pid.take_error();
  Exec e;
  e.key = key;
  e.pid = *pid;
  auto pidfd = sys::pidfd_open(*pid);
  if (!pidfd) {
    ::kill(*pid, SIGKILL);
    ::waitpid(*pid, nullptr, 0);
    return pidfd.take_error();
  }
  e.pidfd = std::move(*pidfd);
  for (size_t i = 4; i < fds.size(); ++i) e.drain.push_back(std::move(fds[i]));
  execs_.push_back(std::move(e));
  return *pid;
}

std::optional<pid_t> ExecTable::find(const std::string& key) const {
  for (const Exec& e : execs_)
    if (!key.empty() && e.key == key) return e.pid;
  return std::nullopt;
}

void ExecTable::add_poll(std::vector<pollfd>& out) const {
  for (const Exec& e : execs_) {
    out.push_back({e.pidfd.get(), POLLIN, 0});
    for (const UniqueFd& fd : e.drain) out.push_back({e.draining ? fd.get() : -1, POLLIN, 0});
  }
}

int ExecTable::reap(Exec& e) {
  auto waited = runtime::wait_pid(e.pid);
  int code = waited ? *waited : 255;
  if (!e.key.empty()) {
    std::string dir = bundle_ + "/execs";
    if (base::make_dirs(dir, 0700)) (void)runtime::write_file_nosync(dir + "/" + e.key, std::to_string(code) + "\n", 0600);
  }
  return code;
}

std::vector<std::pair<pid_t, int>> ExecTable::on_poll(const pollfd* fds) {
  std::vector<std::pair<pid_t, int>> ended;
  size_t at = 0;
  for (Exec& e : execs_) {
    const pollfd& p = fds[at++];
    for (UniqueFd& fd : e.drain) {
      const pollfd& d = fds[at++];
      if (!d.revents || !fd) continue;
      char buf[16384];
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) fd.reset();
    }
    if (p.revents) {
      ended.emplace_back(e.pid, reap(e));
      e.pid = -1;
    }
  }
  std::erase_if(execs_, [](const Exec& e) { return e.pid < 0; });
  return ended;
}

void ExecTable::drain(pid_t pid) {
  for (Exec& e : execs_)
    if (e.pid == pid) e.draining = true;
}

std::vector<std::pair<pid_t, int>> ExecTable::finish_all(int timeout_ms) {
  std::vector<std::pair<pid_t, int>> ended;
  int64_t deadline = base::now_ns() + int64_t(timeout_ms) * 1000000;
  while (!execs_.empty()) {
    int64_t left = (deadline - base::now_ns()) / 1000000;
    if (left <= 0) {
      // The helper's process dies with it (PR_SET_PDEATHSIG).
      for (Exec& e : execs_) {
        ::kill(e.pid, SIGKILL);
        ended.emplace_back(e.pid, reap(e));
      }
      execs_.clear();
      break;
    }
    for (Exec& e : execs_) e.draining = true;
    std::vector<pollfd> fds;
    add_poll(fds);
    if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0) continue;
    auto done = on_poll(fds.data());
    ended.insert(ended.end(), done.begin(), done.end());
  }
  return ended;
}

}  // namespace engine::shim
