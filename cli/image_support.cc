#include "cli/image_support.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>

#include "cli/format.h"
#include "cli/table.h"
#include "engine/base/strings.h"
#include "engine/image/reference.h"
#include "engine/image/registry/auth.h"
#include "engine/image/registry/credentials.h"

namespace cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using engine::base::Code;
using engine::base::Error;
using engine::base::Result;

Result<HttpResponse> request_streamed(const ApiClient& api, const std::string& method, const std::string& path,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      const std::string& body, const std::string& content_type,
                                      const std::function<bool(std::string_view)>& on_data) {
  return api.stream(method, path, body, on_data, headers, content_type);
}

JsonMessagePrinter::JsonMessagePrinter(std::FILE* out, bool terminal, int width)
    : out_(out), terminal_(terminal), width_(width) {}

bool JsonMessagePrinter::feed(std::string_view data) {
  buf_.append(data);
  size_t nl;
  while (!error_ && (nl = buf_.find('\n')) != std::string::npos) {
    std::string line = buf_.substr(0, nl);
    buf_.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto m = nlohmann::json::parse(line, nullptr, false);
    if (m.is_object()) show(m);
  }
  if (out_) std::fflush(out_);
  return !error_;
}

void JsonMessagePrinter::show(const nlohmann::json& m) {
  auto str = [&](const char* k) { return m.contains(k) && m[k].is_string() ? m[k].get<std::string>() : std::string(); };
  if (m.contains("errorDetail") || m.contains("error")) {
    std::string e = m.contains("errorDetail") ? m["errorDetail"].value("message", "") : "";
    error_ = e.empty() ? str("error") : e;
    return;
  }
  if (!out_ || m.contains("aux")) return;
  std::string id = str("id"), status = str("status"), stream = str("stream");
  bool progress = m.contains("progressDetail") || m.contains("progress");
  std::string bar;
  if (m.contains("progressDetail") && m["progressDetail"].is_object()) {
    const auto& d = m["progressDetail"];
    bar = progress_text(d.value("current", uint64_t(0)), d.value("total", uint64_t(0)), width_);
  }
  // As the docker CLI: layer lines are tracked by id; any other message resets the tracking.
  size_t up = 0;
  if (!id.empty() && progress) {
    auto it = lines_.find(id);
    size_t line = it == lines_.end() ? lines_.size() : it->second;
    if (it == lines_.end()) {
      lines_[id] = line;
      if (terminal_) std::fputs("\n", out_);
    }
    up = lines_.size() - line;
    if (terminal_ && up) std::fprintf(out_, "\x1b[%zuA", up);
  } else {
    lines_.clear();
  }
  std::string endl;
  if (terminal_ && stream.empty() && progress) {
    std::fputs("\x1b[2K\r", out_);
    endl = "\r";
  } else if (progress && !bar.empty()) {
    return;  // no progress bars off a terminal
  }
  if (!id.empty()) std::fprintf(out_, "%s: ", id.c_str());
  if (progress && terminal_) std::fprintf(out_, "%s %s%s", status.c_str(), bar.c_str(), endl.c_str());
  else if (!stream.empty()) std::fprintf(out_, "%s%s", stream.c_str(), endl.c_str());
  else std::fprintf(out_, "%s%s\n", status.c_str(), endl.c_str());
  if (terminal_ && up) std::fprintf(out_, "\x1b[%zuB", up);
}

std::string human_size4(double n) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (n >= 1000 && u < 5) {
    n /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", n, units[u]);
  return buf;
}

std::string progress_text(uint64_t current, uint64_t total, int width) {
  if (current == 0 && total == 0) return "";
  auto pad8 = [](std::string s) { return std::string(s.size() < 8 ? 8 - s.size() : 0, ' ') + s; };
  if (total == 0) return pad8(human_size4(double(current)));
  int pct = std::min(50, int(double(current) / double(total) * 100) / 2);
  std::string box;
  if (width > 110) box = "[" + std::string(size_t(pct), '=') + ">" + std::string(size_t(50 - pct), ' ') + "] ";
  std::string numbers = pad8(human_size4(double(current)));
  if (current <= total) numbers += "/" + human_size4(double(total));
  return box + numbers;
}

void print_formatted(std::string format, const std::vector<nlohmann::json>& rows, const nlohmann::json& headers) {
  bool table = format.rfind("table", 0) == 0;
  if (table) format = std::string(engine::base::trim(std::string_view(format).substr(5)));
  for (auto [from, to] : {std::pair{"\\t", "\t"}, std::pair{"\\n", "\n"}})
    for (size_t at = 0; (at = format.find(from, at)) != std::string::npos; at += 1) format.replace(at, 2, to);
  if (!table) {
    for (const auto& row : rows) std::printf("%s\n", render_format(format, row).c_str());
    return;
  }
  std::vector<std::string> columns = engine::base::split(format, '\t');
  std::vector<std::string> head;
  for (const auto& c : columns) head.push_back(render_format(c, headers));
  Table t(head);
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& c : columns) cells.push_back(render_format(c, row));
    t.add(std::move(cells));
  }
  std::fputs(t.render().c_str(), stdout);
}

int terminal_width(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string credentials_path() {
  const char* dir = std::getenv("BERTH_CONFIG");
  if (dir && *dir) return std::string(dir) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.config/berth/config.json";
}

std::string registry_of(const std::string& ref) {
  auto r = engine::image::parse_reference_no_default(ref);
  return r ? r->domain : std::string(engine::image::kDefaultDomain);
}

std::string registry_auth_header(const std::string& registry) {
  engine::image::registry::CredentialStore store(credentials_path());
  auto auth = store.get(registry);
  if (!auth || !*auth) return "";
  nlohmann::json j = {{"username", (*auth)->username},
                      {"password", (*auth)->password},
                      {"serveraddress", engine::image::registry::credential_key(registry)}};
  if (!(*auth)->identity_token.empty()) j["identitytoken"] = (*auth)->identity_token;
  std::string b = engine::image::registry::base64_encode(j.dump());
  for (char& c : b) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return b;
}

std::string read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("open " + path + ": " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace cli
