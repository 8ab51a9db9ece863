#include "engine/shim/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "engine/base/time.h"

namespace engine::shim {

namespace {
constexpr size_t kMaxLine = 16 * 1024;
}

void append_json_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

LogWriter::LogWriter(std::string path, int64_t max_size, int max_file)
    : path_(std::move(path)), max_size_(max_size), max_file_(max_file < 1 ? 1 : max_file) {
  open_file();
}

void LogWriter::open_file() {
  if (path_.empty()) return;
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  struct stat st;
  size_ = fd_ && ::fstat(fd_.get(), &st) == 0 ? st.st_size : 0;
}

void LogWriter::rotate() {
  fd_.reset();
  if (max_file_ <= 1) {
    ::truncate(path_.c_str(), 0);
  } else {
    std::string last = path_ + "." + std::to_string(max_file_ - 1);
    ::unlink(last.c_str());
    for (int i = max_file_ - 2; i >= 1; --i)
      ::rename((path_ + "." + std::to_string(i)).c_str(), (path_ + "." + std::to_string(i + 1)).c_str());
    ::rename(path_.c_str(), (path_ + ".1").c_str());
  }
  open_file();
}

void LogWriter::write_entry(std::string_view stream, std::string_view line) {
  if (!fd_) return;
  std::string out;
  out.reserve(line.size() + 96);
  out += "{\"log\":\"";
  append_json_escaped(out, line);
  out += "\",\"stream\":\"";
  out += stream;
  out += "\",\"time\":\"";
  out += base::format_rfc3339_nano(base::now_ns());
  out += "\"}\n";
  if (max_size_ > 0 && size_ > 0 && size_ + static_cast<int64_t>(out.size()) > max_size_) rotate();
  if (!fd_) return;
  std::string_view rest = out;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  size_ += static_cast<int64_t>(out.size());
}

void LogWriter::feed(std::string_view stream, std::string_view data) {
  std::string& part = partial_[stream == "stderr" ? 1 : 0];
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      part.append(data);
      data = {};
    } else {
      part.append(data.substr(0, nl + 1));
      data.remove_prefix(nl + 1);
      write_entry(stream, part);
      part.clear();
    }
    while (part.size() >= kMaxLine) {
      write_entry(stream, std::string_view(part).substr(0, kMaxLine));
      part.erase(0, kMaxLine);
    }
  }
}

void LogWriter::flush() {
  if (!partial_[0].empty()) write_entry("stdout", partial_[0]);
  if (!partial_[1].empty()) write_entry("stderr", partial_[1]);
  partial_[0].clear();
  partial_[1].clear();
}

}  // namespace engine::shim
