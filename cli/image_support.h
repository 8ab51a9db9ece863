#pragma once
/// Helpers of the image verbs: requests with extra headers (X-Registry-Auth), Docker's
/// JSON-message progress display, stored registry credentials and docker-style units.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/api_client.h"
#include "cli/context.h"
#include "engine/base/error.h"

namespace CLI {
class App;
}

namespace cli {

/// import, load, save, pull, push as top-level verbs and under `image` (image_transfer_commands.cc).
void add_image_transfer_commands(CLI::App& app, CLI::App& image, Context& ctx);
/// build under parent: `berth build` and `berth image build` (build_commands.cc).
void add_build_command(CLI::App& parent, Context& ctx);
/// login and logout (image_login_commands.cc).
void add_login_commands(CLI::App& app, Context& ctx);

/// One request with extra headers; the body of a 2xx answer goes to on_data as it arrives.
engine::base::Result<HttpResponse> request_streamed(const ApiClient& api, const std::string& method,
                                                    const std::string& path,
                                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                                    const std::string& body, const std::string& content_type,
                                                    const std::function<bool(std::string_view)>& on_data);

/// Shows a stream of Docker JSON messages as the docker CLI does: on a terminal one line
/// per layer, redrawn in place with a progress bar; otherwise plain status lines only.
class JsonMessagePrinter {
 public:
  /// out nullptr: quiet, only errors are noted.
  JsonMessagePrinter(std::FILE* out, bool terminal, int width = 80);
  /// Feeds raw bytes of the stream; complete lines are shown. False after an error message.
  bool feed(std::string_view data);
  /// The errorDetail message, if the stream ended with one.
  const std::optional<std::string>& error() const { return error_; }

 private:
  void show(const nlohmann::json& m);
  std::FILE* out_;
  bool terminal_;
  int width_;
  std::string buf_;
  std::map<std::string, size_t> lines_;  ///< layer id -> line index (terminal redraw)
  std::optional<std::string> error_;
};

/// Docker's progress text from progressDetail: "[==>   ] 1.2MB/3.4MB" (bar only when width > 110).
std::string progress_text(uint64_t current, uint64_t total, int width);
/// units.HumanSize: four significant digits, decimal units ("1.234MB").
std::string human_size4(double bytes);
/// Prints rows (field -> value) in a docker --format: "table TEMPLATE" as aligned columns (one per
/// tab-separated part) under headers (field -> header), else TEMPLATE once per row; `\t`, `\n` expanded.
void print_formatted(std::string format, const std::vector<nlohmann::json>& rows, const nlohmann::json& headers);
/// Width of the terminal on fd (80 when unknown).
int terminal_width(int fd);

/// The credentials file: $BERTH_CONFIG/config.json, else ~/.config/berth/config.json (0600).
std::string credentials_path();
/// X-Registry-Auth value for a registry (base64url JSON), empty when not logged in.
std::string registry_auth_header(const std::string& registry);
/// Registry domain of an image reference ("docker.io", "127.0.0.1:5000").
std::string registry_of(const std::string& ref);

/// Reads a whole file ("-" = stdin) into memory; fails with a message.
std::string read_input(const std::string& path);

}  // namespace cli
