#include "engine/shim/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/base/fs.h"
#include "engine/base/time.h"
#include "engine/process/sync.h"
#include "engine/shim/exec_table.h"
#include "engine/shim/log_writer.h"
#include "engine/sys/fd_passing.h"
#include "engine/sys/syscalls.h"

namespace engine::shim {

namespace {

struct Client {
  int fd = -1;
  std::string in;
  bool waiting = false;
  bool attached = false;
  pid_t exec_pid = 0;                ///< waits for this exec's exit
  std::vector<base::UniqueFd> fds;   ///< passed with the request being read
};

class Monitor {
 public:
  explicit Monitor(MonitorConfig cfg)
      : cfg_(std::move(cfg)), log_(cfg_.log_path, cfg_.log_max_size, cfg_.log_max_file), execs_(cfg_.bundle, cfg_.pid) {}
  [[noreturn]] void run();

 private:
  void save_status() { (void)runtime::write_status(cfg_.bundle + "/status", cfg_.status); }
  void reply(Client& c, const std::string& line) {
    std::string l = line + "\n";
    (void)::send(c.fd, l.data(), l.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  void handle_line(Client& c, const std::string& line);
  void start(Client& c);
  void exec(Client& c, const std::string& args);
  void exec_wait(Client& c, const std::string& key);
  void exec_ended(pid_t pid, int code);
  void client_closed(Client& c);
  void output(int stream, int fd);
  void reap();
  [[noreturn]] void finish();

  MonitorConfig cfg_;
  LogWriter log_;
  std::vector<Client> clients_;
  ExecTable execs_;
  bool exited_ = false;
  int64_t exited_at_ = 0;
};

void Monitor::handle_line(Client& c, const std::string& line) {
  if (line == "start") return start(c);
  if (line.rfind("exec ", 0) == 0) return exec(c, line.substr(5));
  if (line.rfind("exec-wait ", 0) == 0) return exec_wait(c, line.substr(10));
  if (line.rfind("kill ", 0) == 0) {
    int sig = std::atoi(line.c_str() + 5);
    if (exited_) return reply(c, "err container is not running");
    auto st = sys::pidfd_send_signal(cfg_.pidfd, sig);
    return reply(c, st ? "ok" : "err " + st.error().str());
  }
  if (line == "wait") {
    c.waiting = true;
    return;
  }
  if (line == "attach") {
    c.attached = true;
    if (cfg_.stdin_fd >= 0) (void)sys::send_fds(c.fd, "ok\n", {cfg_.stdin_fd});
    else reply(c, "ok");
    return;
  }
  if (line == "close-stdin") {
    if (cfg_.stdin_fd >= 0 && !cfg_.tty) ::close(cfg_.stdin_fd);
    if (!cfg_.tty) cfg_.stdin_fd = -1;
    return reply(c, "ok");
  }
  if (line.rfind("resize ", 0) == 0) {
    struct winsize ws {};
    unsigned rows = 0, cols = 0;
    std::sscanf(line.c_str() + 7, "%u %u", &rows, &cols);
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    if (!cfg_.tty) return reply(c, "err container has no tty");
    if (::ioctl(cfg_.out_fd, TIOCSWINSZ, &ws) != 0) return reply(c, "err resize: " + std::string(std::strerror(errno)));
    return reply(c, "ok");
  }
  reply(c, "err unknown request \"" + line + "\"");
}

void Monitor::start(Client& c) {
  if (cfg_.status.status != "created" || cfg_.sync_fd < 0) return reply(c, "err container is not in created state");
  process::SyncChannel ch{base::UniqueFd(cfg_.sync_fd)};
  cfg_.sync_fd = -1;
  if (!ch.send(process::SyncKind::Start)) return reply(c, "err start: container init is gone");
  cfg_.status.started_at_ns = base::now_ns();
  auto m = ch.receive();
  if (m && process::is_eof(*m)) {
    cfg_.status.status = "running";
    save_status();
    return reply(c, "ok");
  }
  std::string err = m ? std::string(m->text) : m.error().str();
  if (m && m->sys_errno) err += std::string(": ") + std::strerror(m->sys_errno);
  cfg_.status.error = err;
  cfg_.status.status = "running";  // becomes stopped once reaped, with the init's exit code
  save_status();
  reply(c, "err " + err);
}

void Monitor::exec(Client& c, const std::string& args) {
  // "exec <key|-> <ExecSpec json>" with stdin, stdout, stderr, error pipe [, drain fds].
  std::vector<base::UniqueFd> fds = std::move(c.fds);
  c.fds.clear();
  if (exited_ || cfg_.status.status != "running") return reply(c, "err container is not running");
  size_t sp = args.find(' ');
  if (sp == std::string::npos) return reply(c, "err exec: missing spec");
  std::string key = args.substr(0, sp);
  if (key == "-") key.clear();
  if (!key.empty() && execs_.find(key)) return reply(c, "err exec " + key + " already runs");
  auto pid = execs_.start(key, args.substr(sp + 1), std::move(fds));
  if (!pid) return reply(c, "err " + pid.error().str());
  c.exec_pid = *pid;
  reply(c, "ok " + std::to_string(*pid));
}

void Monitor::exec_wait(Client& c, const std::string& key) {
  auto pid = execs_.find(key);
  if (!pid) return reply(c, "err no such exec " + key);
  c.exec_pid = *pid;
}

void Monitor::exec_ended(pid_t pid, int code) {
  for (Client& c : clients_)
    if (c.fd >= 0 && c.exec_pid == pid) {
      reply(c, "exited " + std::to_string(code));
      c.exec_pid = 0;
    }
}

void Monitor::client_closed(Client& c) {
  ::close(c.fd);
  c.fd = -1;
  if (c.exec_pid <= 0) return;
  for (const Client& o : clients_)
    if (o.fd >= 0 && o.exec_pid == c.exec_pid) return;
  // Nobody reads this exec's output any more (berthd went away): keep it from blocking.
  execs_.drain(c.exec_pid);
}

void Monitor::output(int stream, int fd) {
  char buf[32768];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {  // EOF (or EIO on a pty whose slave closed)
    ::close(fd);
    (stream == 1 ? cfg_.out_fd : cfg_.err_fd) = -1;
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  log_.feed(stream == 1 ? "stdout" : "stderr", data);
  for (Client& c : clients_) {
    if (!c.attached || c.fd < 0) continue;
    unsigned char hdr[8] = {static_cast<unsigned char>(stream), 0, 0, 0, static_cast<unsigned char>(n >> 24),
                            static_cast<unsigned char>(n >> 16), static_cast<unsigned char>(n >> 8),
                            static_cast<unsigned char>(n)};
    std::string frame(reinterpret_cast<char*>(hdr), 8);
    frame.append(data);
    if (!sys::write_all(c.fd, frame)) {
      ::close(c.fd);
      c.fd = -1;
    }
  }
}

void Monitor::reap() {
  int status;
  pid_t p = ::waitpid(cfg_.pid, &status, WNOHANG);
  if (p != cfg_.pid) return;
  exited_ = true;
  exited_at_ = base::now_ns();
  cfg_.status.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  if (!cfg_.oom_file.empty()) cfg_.status.oom_killed = read_oom_kill_count(cfg_.oom_file) > cfg_.oom_baseline;
}

void Monitor::finish() {
  log_.flush();
  // Exec'd processes die with the container's pid namespace; collect their helpers' codes.
  for (auto [pid, code] : execs_.finish_all(1000)) exec_ended(pid, code);
  cfg_.status.status = "stopped";
  cfg_.status.finished_at_ns = exited_at_;
  save_status();
  for (Client& c : clients_)
    if (c.fd >= 0 && c.waiting) reply(c, "exited " + std::to_string(cfg_.status.exit_code));
  ::unlink((cfg_.bundle + "/shim.sock").c_str());
  ::_exit(0);
}

void Monitor::run() {
  // create wrote the "created" status before handing over: nothing to record yet.
  for (;;) {
    if (exited_ && cfg_.out_fd < 0 && cfg_.err_fd < 0) finish();
    std::vector<pollfd> fds;
    fds.push_back({cfg_.listen_fd, POLLIN, 0});
    fds.push_back({exited_ ? -1 : cfg_.pidfd, POLLIN, 0});
    fds.push_back({cfg_.out_fd, POLLIN, 0});
    fds.push_back({cfg_.err_fd, POLLIN, 0});
    for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
    size_t exec_at = fds.size();
    execs_.add_poll(fds);
    // After the exit, give stray writers (no pid namespace) a moment, then finish.
    int timeout = exited_ ? 200 : -1;
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno == EINTR) continue;
    if (exited_ && (n == 0 || (cfg_.out_fd < 0 && cfg_.err_fd < 0))) finish();
    if (fds[2].revents) output(1, cfg_.out_fd);
    if (fds[3].revents) output(2, cfg_.err_fd);
    size_t polled = exec_at - 4;  // clients accepted below are polled next round
    for (auto [pid, code] : execs_.on_poll(fds.data() + exec_at)) exec_ended(pid, code);
    for (size_t i = 0; i < polled; ++i) {
      if (!fds[4 + i].revents || clients_[i].fd < 0) continue;
      auto got = sys::recv_fds(clients_[i].fd, 4096, &clients_[i].fds);
      if (!got && (got.error().sys_errno == EAGAIN || got.error().sys_errno == EINTR)) continue;
      if (!got || got->empty()) {
        client_closed(clients_[i]);
        continue;
      }
      clients_[i].in.append(*got);
      size_t nl;
      while ((nl = clients_[i].in.find('\n')) != std::string::npos) {
        std::string line = clients_[i].in.substr(0, nl);
        clients_[i].in.erase(0, nl + 1);
        handle_line(clients_[i], line);
      }
    }
    std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
    if (fds[0].revents & POLLIN) {
      int c = ::accept4(cfg_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) clients_.push_back(Client{c, {}, false, false, 0, {}});
    }
    if (fds[1].revents) reap();
  }
}

}  // namespace

int64_t read_oom_kill_count(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* pos = std::strstr(buf, "oom_kill ");
  return pos ? std::strtoll(pos + 9, nullptr, 10) : 0;
}

void exec_monitor(MonitorConfig cfg) {
  std::vector<std::string> args = {"berth-shim-monitor"};
  auto add = [&](const char* k, const std::string& v) {
    args.push_back(k);
    args.push_back(v);
  };
  for (int fd : {cfg.pidfd, cfg.sync_fd, cfg.listen_fd, cfg.out_fd, cfg.err_fd, cfg.stdin_fd})
    if (fd >= 0) ::fcntl(fd, F_SETFD, 0);
  add("--pid", std::to_string(cfg.pid));
  add("--pidfd", std::to_string(cfg.pidfd));
  add("--sync", std::to_string(cfg.sync_fd));
  add("--listen", std::to_string(cfg.listen_fd));
  add("--out", std::to_string(cfg.out_fd));
  add("--err", std::to_string(cfg.err_fd));
  add("--stdin", std::to_string(cfg.stdin_fd));
  add("--tty", cfg.tty ? "1" : "0");
  add("--bundle", cfg.bundle);
  add("--log", cfg.log_path);
  add("--log-max-size", std::to_string(cfg.log_max_size));
  add("--log-max-file", std::to_string(cfg.log_max_file));
  add("--oom-file", cfg.oom_file);
  add("--oom-baseline", std::to_string(cfg.oom_baseline));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string path(self, static_cast<size_t>(n));
    path = path.substr(0, path.rfind('/') + 1) + "berth-shim-monitor";
    ::execv(path.c_str(), argv.data());
  }
  // No separate monitor binary: run this one in monitor mode.
  args.insert(args.begin() + 1, "monitor");
  args[0] = "berth-shim";
  argv.clear();
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv("/proc/self/exe", argv.data());
  run_monitor(std::move(cfg));
}

bool parse_monitor_args(int argc, char** argv, MonitorConfig* cfg) {
  for (int i = 0; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    long long n = std::strtoll(v.c_str(), nullptr, 10);
    if (k == "--pid") cfg->pid = static_cast<pid_t>(n);
    else if (k == "--pidfd") cfg->pidfd = static_cast<int>(n);
    else if (k == "--sync") cfg->sync_fd = static_cast<int>(n);
    else if (k == "--listen") cfg->listen_fd = static_cast<int>(n);
    else if (k == "--out") cfg->out_fd = static_cast<int>(n);
    else if (k == "--err") cfg->err_fd = static_cast<int>(n);
    else if (k == "--stdin") cfg->stdin_fd = static_cast<int>(n);
    else if (k == "--tty") cfg->tty = n != 0;
    else if (k == "--bundle") cfg->bundle = v;
    else if (k == "--log") cfg->log_path = v;
    else if (k == "--log-max-size") cfg->log_max_size = n;
    else if (k == "--log-max-file") cfg->log_max_file = static_cast<int>(n);
    else if (k == "--oom-file") cfg->oom_file = v;
    else if (k == "--oom-baseline") cfg->oom_baseline = n;
    else return false;
  }
  for (int fd : {cfg->pidfd, cfg->sync_fd, cfg->listen_fd, cfg->out_fd, cfg->err_fd, cfg->stdin_fd})
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  cfg->status.status = "created";
  cfg->status.pid = cfg->pid;
  cfg->status.shim_pid = ::getpid();
  return cfg->pid > 0 && cfg->pidfd >= 0 && cfg->listen_fd >= 0 && !cfg->bundle.empty();
}

void run_monitor(MonitorConfig cfg) {
  ::signal(SIGPIPE, SIG_IGN);
  Monitor m(std::move(cfg));
  m.run();
}

}  // namespace engine::shim
