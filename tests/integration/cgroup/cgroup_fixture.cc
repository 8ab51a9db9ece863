#include "tests/integration/cgroup/cgroup_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/cgroup/cgroup.h"

namespace itest {

namespace fs = std::filesystem;

Child::Child(std::function<void(int)> job) {
  int gate[2], rep[2];
  if (::pipe2(gate, O_CLOEXEC) != 0 || ::pipe2(rep, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    ::close(gate[1]);
    ::close(rep[0]);
    char c;
    if (::read(gate[0], &c, 1) != 1) ::_exit(3);
    job(rep[1]);
    ::_exit(0);
  }
  ::close(gate[0]);
  ::close(rep[1]);
  gate_ = gate[1];
  report_ = rep[0];
}

Child::~Child() {
  if (gate_ >= 0) ::close(gate_);
  if (report_ >= 0) ::close(report_);
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Child::go() {
  char c = 'g';
  if (::write(gate_, &c, 1) != 1) throw std::runtime_error("gate");
}

std::string Child::report(int timeout_ms) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return out;
    pollfd p{report_, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return out;
    char buf[1024];
    ssize_t n = ::read(report_, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (size_t nl = out.find('\n'); nl != std::string::npos) return out.substr(0, nl);
  }
}

int Child::wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::atomic<uint64_t>* shared_counter() {
  void* p = ::mmap(nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("mmap");
  return new (p) std::atomic<uint64_t>(0);
}

std::string test_cgroup(const std::string& name) { return "berth-test-" + std::to_string(::getpid()) + "/" + name; }

namespace {

/// Every berth-test-<pid> directory, one per hierarchy.
std::vector<std::string> test_roots() {
  std::vector<std::string> out;
  std::string mine = "berth-test-" + std::to_string(::getpid());
  std::error_code ec;
  std::vector<std::string> bases = {"/sys/fs/cgroup"};
  for (auto& e : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (e.is_directory(ec) && !e.is_symlink(ec)) bases.push_back(e.path().string());
  for (const std::string& b : bases)
    if (fs::is_directory(b + "/" + mine, ec)) out.push_back(b + "/" + mine);
  return out;
}

void empty_and_remove(const std::string& dir) {
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory(ec)) empty_and_remove(e.path().string());
  if (fs::exists(dir + "/freezer.state")) std::ofstream(dir + "/freezer.state") << "THAWED";
  if (fs::exists(dir + "/cgroup.freeze")) std::ofstream(dir + "/cgroup.freeze") << "0";
  for (int i = 0; i < 200; ++i) {
    std::ifstream procs(dir + "/cgroup.procs");
    pid_t p;
    bool any = false;
    while (procs >> p) any = true, ::kill(p, SIGKILL);
    if (!any && ::rmdir(dir.c_str()) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

CgroupSweeper::~CgroupSweeper() {
  for (const std::string& r : test_roots()) empty_and_remove(r);
}

bool any_test_cgroup_left() { return !test_roots().empty(); }

std::string v2_root() {
  auto m = engine::cgroup::detect_mode("/sys/fs/cgroup");
  if (!m) return {};
  if (*m == engine::cgroup::Mode::V2) return "/sys/fs/cgroup";
  if (*m == engine::cgroup::Mode::Hybrid) return "/sys/fs/cgroup/unified";
  return {};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace itest
