#include "cli/daemon_launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/base/fs.h"

namespace cli {

using namespace engine::base;

static void sleep_ms(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  ::nanosleep(&ts, nullptr);
}

Status ensure_daemon(const ApiClient& client, const LaunchOptions& opts) {
  Status first = client.ping();
  if (first.ok()) return first;
  if (!opts.allow_autostart || first.error().code != Code::Unavailable) return first;
  std::string sock = client.socket_path();
  if (sock.empty()) return first;

  std::string berthd = find_helper_binary("berthd");
  if (berthd.empty()) return first.error().wrap("berthd not found beside berth or on PATH");
  if (::geteuid() != 0) {
    return Error{Code::Unavailable, first.error().sys_errno,
                 first.error().message + " (no daemon is running; berthd needs root: run berth as root once to start it)"};
  }
  std::string root = opts.root.empty() ? "/var/lib/berth" : opts.root;
  BERTH_TRY(make_dirs(root, 0711));
  std::string log_path = root + "/berthd.log";

  std::vector<std::string> args = {berthd, "--host", client.host()};
  if (!opts.root.empty()) {
    args.push_back("--root");
    args.push_back(opts.root);
  }
  pid_t child = ::fork();
  if (child < 0) return sys_error("fork to start berthd");
  if (child == 0) {
    // Double fork + setsid: the daemon is not our child and has no terminal.
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int logfd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int nullfd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nullfd >= 0) ::dup2(nullfd, 0);
    if (logfd >= 0) {
      ::dup2(logfd, 1);
      ::dup2(logfd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);

  for (int waited = 0; waited < opts.wait_ms; waited += 20) {
    if (client.ping().ok()) return {};
    sleep_ms(20);
  }
  std::string tail;
  if (auto log = read_file(log_path); log) {
    tail = log->size() > 600 ? log->substr(log->size() - 600) : *log;
  }
  return Error{Code::Unavailable, 0,
               "started " + berthd + " but it did not answer on " + client.host() + " within " +
                   std::to_string(opts.wait_ms / 1000) + "s; see " + log_path + (tail.empty() ? "" : ":\n" + tail)};
}

}  // namespace cli
