#include "cli/compose_config.h"

#include <malloc.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "compose/model/codec.h"
#include "compose/model/yaml_emit.h"

namespace cli {
namespace {

/// Named services and everything they depend on.
std::set<std::string> with_dependencies(const nlohmann::json& services, const std::vector<std::string>& names) {
  std::set<std::string> keep;
  std::vector<std::string> todo = names;
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    if (!keep.insert(n).second || !services.contains(n)) continue;
    if (auto d = services[n].find("depends_on"); d != services[n].end())
      for (auto it = d->begin(); it != d->end(); ++it) todo.push_back(it.key());
  }
  return keep;
}

void print_keys(std::ostream& out, const nlohmann::json& j, const char* key) {
  if (auto it = j.find(key); it != j.end())
    for (auto e = it->begin(); e != it->end(); ++e) out << e.key() << "\n";
}

/// True when the whole project is printed (YAML or JSON): the text is written straight
/// from the tree. Service filters and the listing flags work on the JSON copy.
bool prints_whole_project(const ComposeConfigFlags& flags) {
  return flags.names.empty() && !flags.services && !flags.volumes && !flags.networks && !flags.profiles &&
         !flags.images && flags.hash.empty();
}

/// Makes root print like its JSON copy with `services` set to {} when missing or null;
/// false when root is no mapping (the JSON path reports that).
bool gives_services(compose::load::Node& root) {
  if (root.is_null()) root = compose::load::Node::map(root.mark);
  if (!root.is_map()) return false;
  compose::load::Node* s = root.find("services");
  if (!s) root.set("services", compose::load::Node::map());
  else if (s->is_null() || (s->is_scalar() && compose::load::scalar_value(*s).is_null()))
    *s = compose::load::Node::map(s->mark);
  return true;
}

/// Writes text to --output or out; 1 when the file cannot be written.
int write_output(const ComposeConfigFlags& flags, const std::string& text, std::ostream& out, std::ostream& err) {
  if (flags.output.empty()) {
    out << text;
    return 0;
  }
  std::ofstream f(flags.output);
  f << text;
  if (f) return 0;
  err << "error: write " << flags.output << ": failed\n";
  return 1;
}

/// The process exits right after `compose config`: freeing a big model node by node costs
/// more than a tenth of the command's time, and the kernel takes the memory back anyway.
/// What is kept stays reachable from here, so leak checkers do not report it.
template <typename... T>
void keep_until_exit(T&&... values) {
  static auto* kept = new std::vector<std::shared_ptr<void>>;
  (kept->push_back(std::make_shared<std::decay_t<T>>(std::move(values))), ...);
}

}  // namespace

int run_compose_config(const ComposeConfigFlags& flags, compose::load::LoadOptions opts,
                       const compose::load::Environment& env, compose::load::FileSystem& fs, std::ostream& out,
                       std::ostream& err) {
  if (flags.format != "yaml" && flags.format != "json") {
    err << "error: unsupported format \"" << flags.format << "\" (use yaml or json)\n";
    return 1;
  }
  if (flags.profiles) opts.profiles = {"*"};
  for (const std::string& n : flags.names) opts.services.push_back(n);
  auto tree = compose::load::load_tree(opts, env, fs);
  if (!tree) {
    err << "error: " << tree.error().str() << "\n";
    return 1;
  }
  for (const std::string& w : tree->warnings) err << "WARN[0000] " << w << "\n";
  if (flags.quiet) {
    if (flags.exiting) keep_until_exit(std::move(tree));
    return 0;
  }
  std::string text;
  if (prints_whole_project(flags) && gives_services(tree->root)) {
    text = flags.format == "json" ? compose::load::to_json_text(tree->root) : compose::load::to_yaml_text(tree->root);
    int rc = write_output(flags, text, out, err);
    if (flags.exiting) keep_until_exit(std::move(tree), std::move(text));
    return rc;
  }
  nlohmann::json j = compose::load::to_json(tree->root);
  nlohmann::json& services = j["services"];
  if (services.is_null()) services = nlohmann::json::object();
  if (!flags.names.empty()) {
    for (const std::string& n : flags.names)
      if (!services.contains(n)) {
        err << "error: no such service: " << n << "\n";
        return 1;
      }
    std::set<std::string> keep = with_dependencies(services, flags.names);
    nlohmann::json filtered = nlohmann::json::object();
    for (auto it = services.begin(); it != services.end(); ++it)
      if (keep.count(it.key())) filtered[it.key()] = it.value();
    services = filtered;
  }
  std::ostringstream lines;
  if (flags.services) {
    print_keys(lines, j, "services");
  } else if (flags.volumes) {
    print_keys(lines, j, "volumes");
  } else if (flags.networks) {
    print_keys(lines, j, "networks");
  } else if (flags.profiles) {
    std::set<std::string> all;
    for (auto& s : services)
      if (auto p = s.find("profiles"); p != s.end())
        for (auto& name : *p) all.insert(name.get<std::string>());
    for (const std::string& p : all) lines << p << "\n";
  } else if (flags.images) {
    for (auto it = services.begin(); it != services.end(); ++it)
      lines << (it->contains("image") ? (*it)["image"].get<std::string>() : tree->project_name + "-" + it.key())
            << "\n";
  } else if (!flags.hash.empty()) {
    auto project = compose::model::project_from_json(j);
    if (!project) {
      err << "error: " << project.error().str() << "\n";
      return 1;
    }
    std::vector<std::string> names;
    if (flags.hash == "*") {
      for (const auto& [name, s] : project->services) names.push_back(name);
    } else {
      std::stringstream ss(flags.hash);
      for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
    }
    for (const std::string& n : names) {
      auto it = project->services.find(n);
      if (it == project->services.end()) {
        err << "error: no such service: " << n << "\n";
        return 1;
      }
      lines << n << " " << compose::model::config_hash(it->second) << "\n";
    }
  } else if (flags.format == "json") {
    lines << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    lines << compose::model::to_yaml(j);
  }
  text = lines.str();
  int rc = write_output(flags, text, out, err);
  if (flags.exiting) keep_until_exit(std::move(tree), std::move(j), std::move(text));
  return rc;
}

void register_compose_config(CLI::App& compose, compose::load::LoadOptions& opts) {
  auto flags = std::make_shared<ComposeConfigFlags>();
  CLI::App* cmd = compose.add_subcommand("config", "Parse, resolve and render the compose file in canonical format");
  cmd->add_option("services", flags->names, "Only these services (and their dependencies)");
  cmd->add_option("--format", flags->format, "Output format: yaml or json")->capture_default_str();
  cmd->add_flag("--services", flags->services, "Print the service names, one per line");
  cmd->add_flag("--volumes", flags->volumes, "Print the volume names, one per line");
  cmd->add_flag("--networks", flags->networks, "Print the network names, one per line");
  cmd->add_flag("--profiles", flags->profiles, "Print the profile names, one per line");
  cmd->add_flag("--images", flags->images, "Print the image names, one per line");
  cmd->add_option("--hash", flags->hash, "Print the config hash of SERVICE (\"*\" for all)");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only validate the configuration; the exit code says if it is valid");
  cmd->add_flag("--no-interpolate", opts.no_interpolate, "Don't interpolate environment variables");
  cmd->add_flag("--no-normalize", opts.no_normalize, "Don't normalize the compose model");
  cmd->add_flag("--no-path-resolution", [&opts](int64_t n) { opts.resolve_paths = n == 0; },
                "Don't resolve file paths");
  cmd->add_option("-o,--output", flags->output, "Save to FILE instead of stdout");
  flags->exiting = true;
  cmd->callback([flags, &opts] {
    // A big project allocates and frees tens of MiB, phase after phase. Keep what is freed
    // for the next phase instead of handing it back and faulting it in again.
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    compose::load::DiskFileSystem fs;
    int rc = run_compose_config(*flags, opts, compose::load::Environment::process(), fs, std::cout, std::cerr);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace cli
