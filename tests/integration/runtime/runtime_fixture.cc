#include "tests/integration/runtime/runtime_fixture.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/runtime/log_file.h"

namespace test {

void make_busybox_rootfs(const std::string& dir) {
  std::filesystem::create_directories(dir + "/bin");
  std::filesystem::copy_file("/bin/busybox", dir + "/bin/busybox");
  CommandResult list = run_command({"/bin/busybox", "--list"});
  std::istringstream in(list.out);
  for (std::string applet; std::getline(in, applet);)
    if (!applet.empty() && applet != "busybox") std::filesystem::create_symlink("busybox", dir + "/bin/" + applet);
  write_text(dir + "/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
             "app:x:1000:1000:app:/home/app:/bin/sh\n");
  write_text(dir + "/etc/group", "root:x:0:\nnogroup:x:65534:\napp:x:1000:\nextra:x:2000:app\n");
  for (const char* d : {"/tmp", "/proc", "/sys", "/dev"}) std::filesystem::create_directories(dir + d);
  std::filesystem::create_directories(dir + "/root");
}

std::pair<std::string, std::string> read_frames(int conn) {
  std::string frames;
  char buf[4096];
  for (ssize_t n; (n = ::read(conn, buf, sizeof buf)) > 0;) frames.append(buf, static_cast<size_t>(n));
  std::string out, err;
  for (size_t i = 0; i + 8 <= frames.size();) {
    size_t len = (size_t(uint8_t(frames[i + 4])) << 24) | (size_t(uint8_t(frames[i + 5])) << 16) |
                 (size_t(uint8_t(frames[i + 6])) << 8) | size_t(uint8_t(frames[i + 7]));
    (frames[i] == 1 ? out : err) += frames.substr(i + 8, len);
    i += 8 + len;
  }
  return {out, err};
}

RuntimeFixture::RuntimeFixture() : dir_("berth-rt") {
  // Traversable by a remapped root (user namespace tests), like /var/lib/berth.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms(0711));
  rootfs_ = dir_ / "rootfs";
  state_root_ = dir_ / "state";
  make_busybox_rootfs(rootfs_);
  std::filesystem::create_directories(state_root_);
  rt_ = engine::runtime::make_linux_runtime(state_root_, BERTH_BIN_DIR "/berth-shim");
}

RuntimeFixture::~RuntimeFixture() {
  for (const std::string& id : ids_) {
    auto st = rt_->state(id);
    if (!st) continue;
    (void)rt_->stop(id, SIGKILL, 0);
    (void)rt_->remove(id);
  }
  // The shared parent cgroup, once empty (rmdir fails harmlessly while others use it).
  for (const char* h : {"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd", "unified"})
    ::rmdir((std::string("/sys/fs/cgroup/") + h + "/berth-itest-runtime").c_str());
}

engine::runtime::ContainerSpec RuntimeFixture::spec(const std::vector<std::string>& args) {
  engine::runtime::ContainerSpec s;
  s.id = unique_name("rt");
  ids_.push_back(s.id);
  s.rootfs.path = rootfs_;
  s.process.args = args;
  s.hostname = "box";
  for (const char* ns : {"pid", "mount", "uts", "ipc", "net"}) s.namespaces.push_back({ns, ""});
  s.cgroup.rel_path = "berth-itest-runtime/" + s.id;
  s.log.path = state_root_ + "/" + s.id + "/" + s.id + "-json.log";
  return s;
}

engine::runtime::ContainerState RuntimeFixture::run(const engine::runtime::ContainerSpec& s) {
  auto created = rt_->create(s, "");
  REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().str()));
  auto started = rt_->start(s.id);
  REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().str()));
  auto st = rt_->state(s.id);
  REQUIRE(st.ok());
  return *st;
}

engine::runtime::ContainerState RuntimeFixture::run_to_exit(const engine::runtime::ContainerSpec& s) {
  run(s);
  auto st = rt_->wait(s.id, 60000);
  REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().str()));
  return *st;
}

std::string RuntimeFixture::log_text(const engine::runtime::ContainerSpec& s, const std::string& stream) {
  auto entries = engine::runtime::read_log(s.log.path);
  REQUIRE(entries.ok());
  std::string out;
  for (const auto& e : *entries)
    if (e.stream == stream) out += e.line;
  return out;
}

int RuntimeFixture::mounts_under(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  int n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find(path) != std::string::npos) ++n;
  return n;
}

}  // namespace test
