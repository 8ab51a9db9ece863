#include "engine/build/run_step.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "engine/base/scope_exit.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace {

/// Length of the valid UTF-8 sequence at s[i] (1-4), 0 if invalid, -1 if s ends inside it.
int utf8_sequence(const std::string& s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0) return 0;
  // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -1;
    unsigned char x = b(i + k);
    if (x < (k == 1 ? lo : 0x80) || x > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

/// Reads the shim's output frames ([stream,0,0,0,len:u32be] + data) until the shim closes the
/// connection (the container exited), handing each payload to out as it arrives.
void relay_frames(int fd, const OutputFn& out) {
  std::string pending[3];  // per stream: an incomplete UTF-8 sequence carried to the next frame
  auto emit = [&](int stream, bool flush) {
    std::string text = take_utf8(pending[stream], flush);
    if (!text.empty()) out(text);
  };
  std::string buf;
  char tmp[32768];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(tmp, static_cast<size_t>(n));
    size_t pos = 0;
    while (buf.size() - pos >= 8) {
      auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(buf[pos + i])); };
      uint32_t len = (byte(4) << 24) | (byte(5) << 16) | (byte(6) << 8) | byte(7);
      if (buf.size() - pos < 8 + len) break;
      int stream = buf[pos] == 2 ? 2 : 1;
      pending[stream].append(buf, pos + 8, len);
      emit(stream, false);
      pos += 8 + len;
    }
    buf.erase(0, pos);
  }
  emit(1, true);
  emit(2, true);
}

}  // namespace

std::string take_utf8(std::string& pending, bool flush) {
  std::string out;
  size_t i = 0;
  while (i < pending.size()) {
    int len = utf8_sequence(pending, i);
    if (len < 0 && !flush) break;
    if (len <= 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(pending, i, static_cast<size_t>(len));
    i += static_cast<size_t>(len);
  }
  pending.erase(0, i);
  return out;
}

RunFn make_runtime_run_fn(runtime::Runtime& rt, std::string state_root, OutputFn out) {
  return [&rt, state_root = std::move(state_root), out = std::move(out)](const RunRequest& req) -> base::Result<int> {
    static std::atomic<unsigned> counter{0};
    std::string id = "berth-build-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    runtime::ContainerSpec spec;
    spec.id = id;
    spec.hostname = id.substr(0, 12);
    spec.rootfs.lowerdirs = req.lowerdirs;
    spec.process.args = req.argv;
    spec.process.env = req.env;
    bool has_path = false;
    for (const auto& e : req.env) has_path = has_path || e.starts_with("PATH=");
    if (!has_path) spec.process.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    spec.process.cwd = req.working_dir.empty() ? "/" : req.working_dir;
    spec.process.user = req.user;
    spec.mounts = req.mounts;
    for (const char* ns : {"pid", "mount", "uts", "ipc"}) spec.namespaces.push_back({ns, ""});
    auto cleanup = base::ScopeExit([&] { (void)rt.remove(id); });
    if (auto c = rt.create(spec, ""); !c) return c.take_error();
    // Attached before start, so no output is missed; it streams while the step runs.
    auto stream = rt.attach(id);
    if (!stream) return stream.take_error();
    stream->stdin_fd.reset();
    if (auto s = rt.start(id); !s) return s.take_error();
    relay_frames(stream->conn.get(), out);
    auto st = rt.wait(id);
    if (!st) return st.take_error();
    std::error_code ec;
    fs::remove_all(req.upper_dir, ec);
    fs::rename(state_root + "/" + id + "/upper", req.upper_dir, ec);
    if (ec) return base::internal("move upper dir of " + id + ": " + ec.message());
    return st->exit_code;
  };
}

}  // namespace engine::build
