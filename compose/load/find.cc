#include "compose/load/find.h"

#include <unistd.h>

#include "compose/load/env_file.h"
#include "compose/load/paths.h"
#include "engine/base/strings.h"

namespace compose::load {

using engine::base::invalid;

std::vector<std::string> find_default_files(const std::string& start, FileSystem& fs) {
  // compose-go's DefaultFileNames and DefaultOverrideFileNames, in their order of preference:
  // any override name goes with any base name.
  static const char* kNames[] = {"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"};
  static const char* kOverrides[] = {"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                                     "docker-compose.override.yaml"};
  std::string dir = clean_path(start);
  for (;;) {
    for (const char* n : kNames) {
      std::string p = join_path(dir, n);
      if (!fs.is_file(p)) continue;
      std::vector<std::string> out{p};
      for (const char* o : kOverrides)
        if (fs.is_file(join_path(dir, o))) {
          out.push_back(join_path(dir, o));
          break;
        }
      return out;
    }
    if (dir == "/") return {};
    dir = dir_name(dir);
  }
}

Environment layered(const Environment& shell, const std::map<std::string, std::string>& dotenv) {
  return Environment([shell, dotenv](const std::string& k) -> std::optional<std::string> {
    if (auto v = shell.get(k)) return v;
    auto it = dotenv.find(k);
    if (it != dotenv.end()) return it->second;
    return std::nullopt;
  });
}

namespace {

/// The variables of env files before any compose file is known: --env-file, or the .env
/// of --project-directory or the working directory. Docker compose reads COMPOSE_FILE and
/// COMPOSE_PATH_SEPARATOR there too.
std::map<std::string, std::string> early_dotenv(const LoadOptions& opts, const std::string& working_dir,
                                                const Environment& shell, FileSystem& fs) {
  std::map<std::string, std::string> out;
  std::vector<std::string> files;
  for (const std::string& e : opts.env_files) files.push_back(join_path(working_dir, e));
  if (files.empty()) {
    std::string dir = opts.project_directory.empty() ? working_dir : join_path(working_dir, opts.project_directory);
    files.push_back(join_path(dir, ".env"));
  }
  for (const std::string& e : files) {
    if (!fs.is_file(e)) continue;
    auto text = fs.read(e);
    if (!text) continue;  // errors are reported when the env files are read for real
    auto pairs = parse_env_file(*text, e, layered(shell, out));
    if (!pairs) continue;
    for (auto& [k, v] : *pairs) out[k] = v;
  }
  return out;
}

}  // namespace

engine::base::Result<Resolved> resolve_inputs(const LoadOptions& opts, const Environment& shell, FileSystem& fs) {
  Resolved r;
  r.working_dir = opts.working_dir;
  if (r.working_dir.empty()) {
    char buf[4096];
    if (!::getcwd(buf, sizeof buf)) return engine::base::sys_error("getcwd");
    r.working_dir = buf;
  }
  r.working_dir = clean_path(r.working_dir);

  std::vector<std::string> files = opts.files;
  if (files.empty()) {
    Environment env = shell;
    if (!shell.get("COMPOSE_FILE")) env = layered(shell, early_dotenv(opts, r.working_dir, shell, fs));
    if (auto cf = env.get("COMPOSE_FILE"); cf && !cf->empty()) {
      std::string sep = env.get("COMPOSE_PATH_SEPARATOR").value_or(":");
      for (const std::string& f : engine::base::split(*cf, sep.empty() ? ':' : sep[0]))
        if (!f.empty()) files.push_back(f);
    }
  }
  if (files.empty()) {
    std::string from = opts.project_directory.empty() ? r.working_dir : join_path(r.working_dir, opts.project_directory);
    files = find_default_files(from, fs);
    if (files.empty())
      return engine::base::not_found("no configuration file provided: not found (looked for compose.yaml, compose.yml, "
                                     "docker-compose.yaml, docker-compose.yml in " + from + " and its parents)");
  }
  for (const std::string& f : files) {
    if (f == "-") {
      r.files.push_back(f);
      continue;
    }
    std::string p = join_path(r.working_dir, f);
    if (!fs.is_file(p)) return engine::base::not_found("open " + p + ": no such file or directory");
    r.files.push_back(p);
  }
  if (!opts.project_directory.empty()) r.project_directory = join_path(r.working_dir, opts.project_directory);
  else if (r.files[0] == "-") r.project_directory = r.working_dir;
  else r.project_directory = dir_name(r.files[0]);

  std::vector<std::string> env_files;
  for (const std::string& e : opts.env_files) env_files.push_back(join_path(r.working_dir, e));
  if (env_files.empty()) {
    std::string dot = join_path(r.project_directory, ".env");
    if (fs.is_file(dot)) env_files.push_back(dot);
  }
  for (const std::string& e : env_files) {
    auto text = fs.read(e);
    if (!text) return text.take_error().wrap("read env file");
    auto pairs = parse_env_file(*text, e, layered(shell, r.dotenv));
    if (!pairs) return pairs.take_error();
    for (auto& [k, v] : *pairs) r.dotenv[k] = v;
  }

  Environment all = layered(shell, r.dotenv);
  std::vector<std::string> profiles = opts.profiles;
  if (profiles.empty())
    if (auto p = all.get("COMPOSE_PROFILES"))
      for (const std::string& s : engine::base::split(*p, ','))
        if (!engine::base::trim(s).empty()) profiles.emplace_back(engine::base::trim(s));
  r.profiles = profiles;
  return r;
}

}  // namespace compose::load
