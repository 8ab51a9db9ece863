#include "tests/integration/daemon_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "engine/base/fs.h"
#include "engine/base/strings.h"

namespace test {

std::string bin(const std::string& name) { return std::string(BERTH_BIN_DIR) + "/" + name; }

static void sleep_ms(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  ::nanosleep(&ts, nullptr);
}

const std::string& busybox_rootfs_tar() {
  static TempDir dir("berth-busybox");
  static std::string tar;
  if (!tar.empty()) return tar;
  std::string root = dir / "rootfs";
  for (const char* d : {"bin", "etc", "tmp", "proc", "sys", "dev", "root", "var/www", "home"})
    std::filesystem::create_directories(root + "/" + d);
  std::filesystem::permissions(root + "/tmp", std::filesystem::perms::all | std::filesystem::perms::sticky_bit);
  std::filesystem::copy_file("/bin/busybox", root + "/bin/busybox");
  auto list = run_command({"/bin/busybox", "--list"});
  for (const auto& applet : engine::base::split(list.out, '\n'))
    if (!applet.empty() && applet != "busybox") ::symlink("busybox", (root + "/bin/" + applet).c_str());
  write_text(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
  write_text(root + "/etc/group", "root:x:0:\nnogroup:x:65534:\n");
  tar = dir / "busybox.tar";
  auto r = run_command({"tar", "-C", root, "-cf", tar, "."});
  if (r.exit_code != 0) throw std::runtime_error("tar busybox rootfs: " + r.err);
  return tar;
}

DaemonFixture::DaemonFixture() : dir_("berth-itest") {
  root_ = dir_ / "root";
  host_ = "unix://" + (dir_ / "berth.sock");
  // Unique host object names: tests never touch a real daemon's bridge or table.
  static int seq = 0;
  std::string tag = std::to_string(::getpid() % 100000) + "x" + std::to_string(seq++);
  bridge_ = "btb" + tag;
  nft_table_ = "berth_test_" + tag;
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork berthd");
  if (pid_ == 0) {
    std::string log = dir_ / "berthd.log";
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    std::string b = bin("berthd");
    ::execl(b.c_str(), b.c_str(), "--root", root_.c_str(), "--host", host_.c_str(), "--exec-root",
            (dir_ / "run").c_str(), "--bridge", bridge_.c_str(), "--nft-table", nft_table_.c_str(), "--log-level",
            "debug", static_cast<char*>(nullptr));
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

DaemonFixture::~DaemonFixture() {
  remove_all_objects();
  stop();
  // The default bridge and berth's table outlive a daemon (as docker0 does); tests remove theirs.
  run_command({"ip", "link", "del", bridge_});
  run_command({"nft", "delete", "table", "ip", nft_table_});
}

void DaemonFixture::remove_all_objects() const {
  if (pid_ <= 0) return;
  cli::ApiClient c(host_);
  if (auto list = c.request("GET", "/containers/json?all=1"); list && list->ok())
    for (const auto& ct : list->json()) (void)c.request("DELETE", "/containers/" + ct.value("Id", "") + "?force=1&v=1");
  if (auto nets = c.request("GET", "/networks"); nets && nets->ok())
    for (const auto& n : nets->json()) {
      std::string name = n.value("Name", "");
      if (name != "bridge" && name != "host" && name != "none") (void)c.request("DELETE", "/networks/" + n.value("Id", ""));
    }
}

void DaemonFixture::import_busybox(const std::string& ref) const {
  std::string repo = ref.substr(0, ref.rfind(':')), tag = ref.substr(ref.rfind(':') + 1);
  auto tar = engine::base::read_file(busybox_rootfs_tar());
  if (!tar) throw std::runtime_error("read busybox tar");
  auto r = client().request("POST", "/images/create?fromSrc=-&repo=" + repo + "&tag=" + tag, *tar, "application/x-tar");
  if (!r || !r->ok()) throw std::runtime_error("import busybox: " + (r ? r->body : r.error().str()));
}

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

std::string trimmed(const std::string& s) { return std::string(engine::base::trim(s)); }

}  // namespace test
