// POST /images/create?fromSrc=-: docker import, with --change instructions applied to the config.
#include <algorithm>
#include <cctype>

#include "engine/api/image_routes.h"
#include "engine/base/strings.h"
#include "engine/image/reference.h"

namespace engine::api {

using namespace engine::base;
using engine::image::ContainerConfig;

namespace {

/// Splits shell-like words: whitespace separated, "double" and 'single' quotes grouped.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      have = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

/// JSON array form (["a","b"]) or shell form (wrapped in /bin/sh -c), as a Dockerfile reads it.
Result<std::vector<std::string>> command_form(const std::string& instr, std::string_view args) {
  if (!args.empty() && args.front() == '[') {
    auto j = nlohmann::json::parse(args, nullptr, false);
    if (j.is_array() && std::all_of(j.begin(), j.end(), [](const nlohmann::json& v) { return v.is_string(); }))
      return j.get<std::vector<std::string>>();
    return invalid(instr + ": malformed JSON array \"" + std::string(args) + "\"");
  }
  return std::vector<std::string>{"/bin/sh", "-c", std::string(args)};
}

/// ENV/LABEL pairs: "K=V K2=V2" or the legacy "K V".
Result<std::vector<std::pair<std::string, std::string>>> pairs(const std::string& instr, std::string_view args) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> w = words(args);
  if (w.empty()) return invalid(instr + " requires at least one argument");
  if (w[0].find('=') == std::string::npos) {
    size_t sp = args.find_first_of(" \t");
    if (sp == std::string_view::npos) return invalid(instr + " " + w[0] + ": missing value");
    out.emplace_back(w[0], std::string(trim(args.substr(sp))));
    return out;
  }
  for (const std::string& kv : w) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return invalid(instr + ": \"" + kv + "\" is not KEY=VALUE");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

void set_env(ContainerConfig& c, const std::string& key, const std::string& value) {
  for (std::string& e : c.env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return void(e = key + "=" + value);
  c.env.push_back(key + "=" + value);
}

Status apply_change(ContainerConfig& c, const std::string& change) {
  std::string_view line = trim(change);
  size_t sp = line.find_first_of(" \t");
  std::string instr(line.substr(0, sp));
  std::transform(instr.begin(), instr.end(), instr.begin(), [](unsigned char ch) { return std::toupper(ch); });
  std::string_view args = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
  if (instr == "CMD" || instr == "ENTRYPOINT") {
    auto cmd = command_form(instr, args);
    if (!cmd) return cmd.take_error();
    (instr == "CMD" ? c.cmd : c.entrypoint) = *cmd;
  } else if (instr == "ENV" || instr == "LABEL") {
    auto kv = pairs(instr, args);
    if (!kv) return kv.take_error();
    for (const auto& [k, v] : *kv) {
      if (instr == "ENV") set_env(c, k, v);
      else c.labels[k] = v;
    }
  } else if (instr == "EXPOSE") {
    for (std::string p : words(args)) {
      if (p.find('/') == std::string::npos) p += "/tcp";
      if (std::find(c.exposed_ports.begin(), c.exposed_ports.end(), p) == c.exposed_ports.end()) c.exposed_ports.push_back(p);
    }
    std::sort(c.exposed_ports.begin(), c.exposed_ports.end());
  } else if (instr == "VOLUME") {
    auto list = !args.empty() && args.front() == '[' ? command_form(instr, args) : Result(words(args));
    if (!list) return list.take_error();
    for (const std::string& v : *list)
      if (std::find(c.volumes.begin(), c.volumes.end(), v) == c.volumes.end()) c.volumes.push_back(v);
    std::sort(c.volumes.begin(), c.volumes.end());
  } else if (instr == "WORKDIR") {
    c.working_dir = std::string(args);
  } else if (instr == "USER") {
    c.user = std::string(args);
  } else if (instr == "STOPSIGNAL") {
    c.stop_signal = std::string(args);
  } else if (instr == "ONBUILD") {
    c.on_build.emplace_back(args);
  } else {
    return invalid(instr + " is not a valid change command");
  }
  return {};
}

}  // namespace

Result<ContainerConfig> parse_changes(const std::vector<std::string>& changes) {
  ContainerConfig c;
  for (const std::string& ch : changes) {
    if (trim(ch).empty()) continue;
    if (auto st = apply_change(c, ch); !st) return st.take_error().wrap("import: change \"" + ch + "\"");
  }
  return c;
}

void handle_image_import(Exchange& ex, const ImageDeps& d) {
  const Request& req = ex.req();
  std::string repo = req.q("repo").value_or("");
  std::string tag = req.q("tag").value_or("");
  std::string ref = repo.empty() || tag.empty() ? repo : repo + ":" + tag;
  std::vector<std::string> changes;
  auto range = req.query.equal_range("changes");
  for (auto it = range.first; it != range.second; ++it) changes.push_back(it->second);
  auto cfg = parse_changes(changes);
  if (!cfg) return ex.respond_error(cfg.error());
  engine::image::ImportOptions opts;
  opts.config = std::move(*cfg);
  opts.message = req.q("message").value_or("");
  if (auto p = req.q("platform"); p && !p->empty()) {
    auto parts = split(*p, '/');
    opts.os = parts[0];
    if (parts.size() > 1) opts.architecture = parts[1];
  }
  auto fd = body_to_memfd(ex.req().body, "import");
  if (!fd) return ex.respond_error(fd.error());
  auto img = d.images->import_rootfs(fd->get(), ref, opts);
  JsonMessageStream out(ex);
  if (!img) return out.fail(img.error());
  if (d.events) {
    auto r = engine::image::parse_reference(ref);
    d.events->publish({"image", "import", img->id.str(), {{"name", r ? r->familiar_str() : img->id.str()}}, 0});
  }
  out.send({{"status", img->id.str()}});
  out.finish();
}

}  // namespace engine::api
