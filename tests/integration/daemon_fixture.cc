#include "tests/integration/daemon_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdexcept>

#include "engine/base/fs.h"

namespace test {

std::string bin(const std::string& name) { return std::string(BERTH_BIN_DIR) + "/" + name; }

static void sleep_ms(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  ::nanosleep(&ts, nullptr);
}

DaemonFixture::DaemonFixture() : dir_("berth-itest") {
  root_ = dir_ / "root";
  host_ = "unix://" + (dir_ / "berth.sock");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork berthd");
  if (pid_ == 0) {
    std::string log = dir_ / "berthd.log";
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    std::string b = bin("berthd");
    ::execl(b.c_str(), b.c_str(), "--root", root_.c_str(), "--host", host_.c_str(), "--exec-root",
            (dir_ / "run").c_str(), "--log-level", "debug", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  cli::ApiClient c(host_);
  for (int i = 0; i < 500; ++i) {
    if (c.ping().ok()) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      auto log = engine::base::read_file(dir_ / "berthd.log");
      throw std::runtime_error("berthd exited at start: " + (log ? *log : std::string()));
    }
    sleep_ms(10);
  }
  stop();
  throw std::runtime_error("berthd did not answer /_ping within 5s");
}

DaemonFixture::~DaemonFixture() { stop(); }

std::vector<std::string> DaemonFixture::env() const {
  return {"BERTH_HOST=" + host_, "BERTH_ROOT=" + root_, "BERTH_AUTOSTART=0"};
}

CommandResult DaemonFixture::berth(const std::vector<std::string>& args, int timeout_s, const std::string& input) const {
  std::vector<std::string> argv = {bin("berth")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, env(), timeout_s, input);
}

int DaemonFixture::pid() const { return pid_; }

void DaemonFixture::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    sleep_ms(10);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace test
