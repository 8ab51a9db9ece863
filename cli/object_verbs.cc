#include "cli/object_verbs.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/context.h"
#include "cli/format.h"

namespace cli {

namespace {

/// Sends one request per name; returns whether every one succeeded.
bool for_each_name(ApiClient& api, const char* method, const std::vector<std::string>& names, const PathOf& path_of,
                   const std::function<void(const std::string&, const HttpResponse&)>& on_ok) {
  bool all_ok = true;
  for (const auto& n : names) {
    HttpResponse r = check(api.request(method, path_of(n)));
    if (!r.ok()) {
      std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
      all_ok = false;
      continue;
    }
    on_ok(n, r);
  }
  return all_ok;
}

}  // namespace

void inspect_objects(ApiClient& api, const std::vector<std::string>& names, const PathOf& path_of,
                     const std::string& format) {
  nlohmann::json out = nlohmann::json::array();
  bool ok = for_each_name(api, "GET", names, path_of, [&](const std::string&, const HttpResponse& r) {
    out.push_back(r.json());
  });
  if (!format.empty() && format != "json")
    for (const auto& o : out) std::printf("%s\n", render_format(format, o).c_str());
  else
    std::printf("%s\n", out.dump(4).c_str());
  if (!ok) throw CLI::RuntimeError(1);
}

void remove_objects(ApiClient& api, const std::vector<std::string>& names, const PathOf& path_of) {
  bool ok = for_each_name(api, "DELETE", names, path_of,
                          [](const std::string& n, const HttpResponse&) { std::printf("%s\n", n.c_str()); });
  if (!ok) throw CLI::RuntimeError(1);
}

}  // namespace cli
