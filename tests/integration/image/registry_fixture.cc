#include "tests/integration/image/registry_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace test {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

static bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

Registry::Registry(const std::string& user, const std::string& password, bool tls) {
  int port = free_port();
  host_ = "127.0.0.1:" + std::to_string(port);
  std::string config = "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: " +
                       dir_.path() + "/data\n  delete:\n    enabled: true\nhttp:\n  addr: " + host_ + "\n";
  if (!user.empty()) {
    CommandResult h = run_command({"htpasswd", "-Bbn", user, password});
    if (h.exit_code != 0) throw std::runtime_error("htpasswd: " + h.err);
    write_text(dir_ / "htpasswd", h.out);
    config += "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + dir_.path() + "/htpasswd\n";
  }
  if (tls) {
    CommandResult c = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                                   "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                                   dir_ / "key.pem", "-out", dir_ / "cert.pem"});
    if (c.exit_code != 0) throw std::runtime_error("openssl: " + c.err);
    config += "  tls:\n    certificate: " + dir_.path() + "/cert.pem\n    key: " + dir_.path() + "/key.pem\n";
  }
  write_text(dir_ / "config.yml", config);
  std::string cfg = dir_ / "config.yml";
  const char* argv[] = {"/usr/bin/docker-registry", "serve", cfg.c_str(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, (dir_.path() + "/registry.log").c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("spawn docker-registry failed");
  for (int i = 0; i < 200; ++i) {
    if (port_open(port)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  throw std::runtime_error("docker-registry did not start on " + host_);
}

Registry::~Registry() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string Registry::blob_data_path(const std::string& hex) const {
  return dir_.path() + "/data/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

}  // namespace test
