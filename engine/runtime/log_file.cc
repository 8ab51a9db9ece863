#include "engine/runtime/log_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace engine::runtime {

base::Result<LogEntry> parse_log_line(const std::string& json_line) {
  try {
    auto j = nlohmann::json::parse(json_line);
    LogEntry e;
    e.line = j.at("log").get<std::string>();
    e.stream = j.value("stream", "stdout");
    auto t = base::parse_rfc3339(j.value("time", ""));
    e.time_ns = t ? *t : 0;
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return base::invalid(std::string("parse log line: ") + ex.what());
  }
}

namespace {

bool wanted(const LogEntry& e, const LogReadOptions& o) {
  if (e.stream == "stdout" && !o.stdout_stream) return false;
  if (e.stream == "stderr" && !o.stderr_stream) return false;
  if (o.since_ns && e.time_ns < o.since_ns) return false;
  if (o.until_ns && e.time_ns > o.until_ns) return false;
  return true;
}

void parse_text(const std::string& text, const LogReadOptions& opts, std::vector<LogEntry>* out) {
  for (const std::string& line : base::split(text, '\n')) {
    if (line.empty()) continue;
    auto e = parse_log_line(line);
    if (e && wanted(*e, opts)) out->push_back(std::move(*e));
  }
}

}  // namespace

base::Result<std::vector<LogEntry>> read_log(const std::string& path, const LogReadOptions& opts) {
  std::vector<LogEntry> out;
  int last = 0;
  while (base::path_exists(path + "." + std::to_string(last + 1))) ++last;
  for (int i = last; i >= 0; --i) {
    auto text = base::read_file(i == 0 ? path : path + "." + std::to_string(i));
    if (!text) continue;
    parse_text(*text, opts, &out);
  }
  if (opts.tail >= 0 && out.size() > static_cast<size_t>(opts.tail))
    out.erase(out.begin(), out.end() - opts.tail);
  return out;
}

LogFollower::LogFollower(std::string path, bool from_start) : path_(std::move(path)) {
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0) {
    inode_ = st.st_ino;
    offset_ = from_start ? 0 : static_cast<uint64_t>(st.st_size);
  }
}

base::Result<std::vector<LogEntry>> LogFollower::next(int timeout_ms) {
  std::vector<LogEntry> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) {
      if (st.st_ino != inode_ || static_cast<uint64_t>(st.st_size) < offset_) {
        inode_ = st.st_ino;  // rotated or truncated: start over on the new file
        offset_ = 0;
        partial_.clear();
      }
      if (static_cast<uint64_t>(st.st_size) > offset_) {
        std::ifstream in(path_, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        std::string chunk(static_cast<size_t>(st.st_size) - offset_, '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<size_t>(in.gcount()));
        offset_ += chunk.size();
        partial_ += chunk;
        size_t nl = partial_.rfind('\n');
        if (nl != std::string::npos) {
          parse_text(partial_.substr(0, nl + 1), {}, &out);
          partial_.erase(0, nl + 1);
        }
      }
    }
    if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace engine::runtime
