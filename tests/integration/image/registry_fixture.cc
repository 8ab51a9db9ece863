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
#include <vector>

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

/// Spawns argv with stdout/stderr to log; throws on failure.
static pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("spawn " + args[0] + " failed");
  return pid;
}

/// Waits (polling) until port accepts connections; kills pid and throws if it never does.
static void await_port(pid_t& pid, int port, const std::string& what) {
  for (int i = 0; i < 200; ++i) {
    if (port_open(port)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
  throw std::runtime_error(what + " did not start on port " + std::to_string(port));
}

/// SIGTERM, then SIGKILL after two seconds; reaps.
static void terminate(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

StaticHttpServer::StaticHttpServer(const std::string& dir) {
  int port = free_port();
  url_ = "http://127.0.0.1:" + std::to_string(port);
  pid_ = spawn({"/usr/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port), "-h", dir},
               "/dev/null");
  await_port(pid_, port, "busybox httpd");
}

StaticHttpServer::~StaticHttpServer() { terminate(pid_); }

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
  pid_ = spawn({"/usr/bin/docker-registry", "serve", dir_ / "config.yml"}, dir_ / "registry.log");
  await_port(pid_, port, "docker-registry");
}

Registry::~Registry() { terminate(pid_); }

std::string Registry::blob_data_path(const std::string& hex) const {
  return dir_.path() + "/data/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

}  // namespace test
