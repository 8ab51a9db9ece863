#include "engine/runtime/status_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"

namespace engine::runtime {

std::string format_status(const ShimStatus& s) {
  std::string err = s.error;
  for (char& c : err)
    if (c == '\n' || c == '\r') c = ' ';
  std::string out;
  out += "status=" + s.status + "\n";
  out += "pid=" + std::to_string(s.pid) + "\n";
  out += "shim_pid=" + std::to_string(s.shim_pid) + "\n";
  out += "exit_code=" + std::to_string(s.exit_code) + "\n";
  out += std::string("oom_killed=") + (s.oom_killed ? "1" : "0") + "\n";
  out += "started_at_ns=" + std::to_string(s.started_at_ns) + "\n";
  out += "finished_at_ns=" + std::to_string(s.finished_at_ns) + "\n";
  out += "error=" + err + "\n";
  return out;
}

base::Result<ShimStatus> parse_status(const std::string& text) {
  ShimStatus s;
  for (const std::string& line : base::split(text, '\n')) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    long long n = std::strtoll(value.c_str(), nullptr, 10);
    if (key == "status") s.status = value;
    else if (key == "pid") s.pid = static_cast<int>(n);
    else if (key == "shim_pid") s.shim_pid = static_cast<int>(n);
    else if (key == "exit_code") s.exit_code = static_cast<int>(n);
    else if (key == "oom_killed") s.oom_killed = n != 0;
    else if (key == "started_at_ns") s.started_at_ns = n;
    else if (key == "finished_at_ns") s.finished_at_ns = n;
    else if (key == "error") s.error = value;
  }
  if (s.status != "created" && s.status != "running" && s.status != "stopped")
    return base::invalid("status file: unknown status \"" + s.status + "\"");
  return s;
}

base::Status write_file_nosync(const std::string& path, std::string_view data, unsigned mode) {
  std::string tmp = path + ".tmp";
  base::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) return base::sys_error("create " + tmp);
  if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    return base::sys_error("write " + tmp);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return base::sys_error("rename " + tmp);
  return {};
}

base::Status write_status(const std::string& path, const ShimStatus& s) {
  return write_file_nosync(path, format_status(s));
}

base::Result<ShimStatus> read_status(const std::string& path) {
  auto text = base::read_file(path);
  if (!text) return text.take_error();
  return parse_status(*text);
}

}  // namespace engine::runtime
