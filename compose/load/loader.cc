#include "compose/load/loader.h"

#include <algorithm>
#include <set>

#include "compose/load/env_file.h"
#include "compose/load/extends.h"
#include "compose/load/find.h"
#include "compose/load/include.h"
#include "compose/load/interpolate.h"
#include "compose/load/merge.h"
#include "compose/load/node_check.h"
#include "compose/load/normalize.h"
#include "compose/load/parse.h"
#include "compose/load/paths.h"
#include "compose/load/profiles.h"
#include "compose/load/validate.h"
#include "compose/model/codec.h"
#include "compose/model/parallel.h"
#include "schema/validator.h"

namespace compose::load {
namespace {

using engine::base::invalid;
using engine::base::Result;

/// Where a schema path points in the tree: the key of the last segment when it names one.
Mark locate(const Node& root, const std::vector<std::string>& path, bool at_key) {
  const Node* cur = &root;
  Mark m = root.mark;
  for (const std::string& s : path) {
    if (cur->is_map()) {
      const Entry* found = nullptr;
      for (const Entry& e : cur->entries)
        if (e.key == s) found = &e;
      if (!found) return m;
      m = found->key_mark;
      cur = &found->value;
      if (!at_key || &s != &path.back()) m = cur->mark;
    } else if (cur->is_seq()) {
      size_t i = std::stoul(s);
      if (i >= cur->items.size()) return m;
      cur = &cur->items[i];
      m = cur->mark;
    } else {
      return m;
    }
  }
  return m;
}

/// True when the tree certainly has no schema violation, found by checking the tree itself
/// (compose/load/node_check.h, no JSON copy): a big project in two parts, the top-level keys
/// with the first half of the services on this thread and the second half on another. False
/// means "look closer" (a violation, or the check threw): the caller then checks the whole
/// document as JSON, which also words the messages.
bool valid_in_halves(const Node& tree, bool keys_only) {
  auto check = [&](const ProjectPart* part) noexcept {
    try {
      return part ? schema_accepts(*part, keys_only) : schema_accepts(tree, keys_only);
    } catch (...) {
      return false;
    }
  };
  constexpr size_t kMinServices = 64;
  const Node* services = tree.find("services");
  if (!services || !services->is_map() || services->entries.size() < kMinServices ||
      !model::can_split() || !schema::services_judged_alone())
    return check(nullptr);
  const Entry* entry = nullptr;
  for (const Entry& e : tree.entries)
    if (&e.value == services) entry = &e;
  size_t half = services->entries.size() / 2;
  ProjectPart first_part{&tree, entry, 0, half, true};
  ProjectPart second_part{&tree, entry, half, services->entries.size(), false};
  bool first = false, second = false;
  model::run_both([&] { first = check(&first_part); }, [&] { second = check(&second_part); });
  return first && second;
}

class Pipeline {
 public:
  Pipeline(const LoadOptions& opts, const Environment& shell, FileSystem& fs) : opts_(opts), shell_(shell), fs_(fs) {
    home_ = shell.get("HOME").value_or("/root");
  }

  Result<LoadedTree> run() {
    auto resolved = resolve_inputs(opts_, shell_, fs_);
    if (!resolved) return resolved.take_error();
    working_dir_ = resolved->working_dir;
    Environment env = layered(shell_, resolved->dotenv);

    LoadedTree out;
    out.project_directory = resolved->project_directory;
    out.files = resolved->files;
    include_stack_ = resolved->files;  // an include of a top-level file is a cycle too
    auto root = load_files(resolved->files, env, resolved->project_directory);
    if (!root) return root.take_error();
    out.root = std::move(*root);
    Node& tree = out.root;
    out.warnings = std::move(warnings_);
    for (const std::string& v : unset_)
      out.warnings.push_back("The \"" + v + "\" variable is not set. Defaulting to a blank string.");

    // Project name: -p, COMPOSE_PROJECT_NAME, name:, then the project directory's name. Like
    // docker compose, a name given with -p or COMPOSE_PROJECT_NAME must already be valid; the
    // others are normalized.
    std::string name = opts_.project_name;
    if (name.empty()) name = env.get("COMPOSE_PROJECT_NAME").value_or("");
    if (!name.empty() && normalize_project_name(name) != name)
      return invalid("invalid project name \"" + name + "\": must consist only of lowercase alphanumeric characters, "
                     "hyphens, and underscores as well as start with a letter or number");
    if (name.empty()) name = tree.get_text("name");
    if (name.empty()) name = base_name(resolved->project_directory);
    out.project_name = normalize_project_name(name);
    if (out.project_name.empty())
      return invalid("project name \"" + name + "\" is empty once normalized to [a-z0-9_-]; set one with -p");

    DisabledServices disabled;
    out.profiles = apply_profiles(tree, resolved->profiles, opts_.services, &disabled);

    // With --no-interpolate values may still hold ${...}: only keys can be checked.
    if (!opts_.no_validate && !valid_in_halves(tree, opts_.no_interpolate)) {
      nlohmann::json doc = to_json(tree);
      Diagnostics diags;
      auto violations = opts_.no_interpolate ? schema::unknown_compose_keys(doc) : schema::validate_compose(doc);
      for (const schema::Violation& v : violations) {
        // An unknown key is reported at the key, under the path of its mapping.
        std::vector<std::string> shown = v.path;
        if (v.names_key && !shown.empty()) shown.pop_back();
        diags.add(locate(tree, v.path, v.names_key), schema::format_path(doc, shown), v.message);
      }
      if (!diags.empty()) return invalid(diags.str());
    }
    if (!opts_.no_normalize) {
      NormalizeContext ctx{out.project_name, resolved->project_directory, home_, &env, &fs_, opts_.resolve_paths};
      Diagnostics diags;
      normalize_project(tree, ctx, diags);
      if (!diags.empty()) return invalid(diags.str());
      if (!opts_.no_validate) {
        validate_project(tree, diags, &disabled);
        if (!diags.empty()) return invalid(diags.str());
      }
    } else {
      tree.set("name", Node::str(out.project_name));
    }
    return out;
  }

 private:
  /// The name used in messages: relative to the working directory when inside it.
  std::string display(const std::string& path) const {
    if (path == "-") return "<stdin>";
    std::string prefix = working_dir_ == "/" ? "/" : working_dir_ + "/";
    if (path.rfind(prefix, 0) == 0) return path.substr(prefix.size());
    return path;
  }

  /// Parse and interpolate one file (documents merged in order).
  Result<Node> read_file(const std::string& path, const Environment& env) {
    auto text = fs_.read(path);
    if (!text) return text.take_error();
    auto docs = parse_yaml(*text, display(path));
    if (!docs) return docs.take_error();
    Node root = Node::map(Mark{file_name(display(path)), 1, 1});
    Diagnostics diags;
    for (Node& d : *docs) {
      if (d.is_null()) continue;
      if (!d.is_map()) return invalid(located(d.mark, "", "top-level object must be a mapping"));
      if (d.find("version"))
        warnings_.push_back(display(path) + ": the attribute `version` is obsolete, it will be ignored, please remove "
                            "it to avoid potential confusion");
      if (!opts_.no_interpolate) interpolate_tree(d, env, diags, &unset_);
      merge_projects(root, std::move(d));
    }
    if (!diags.empty()) return invalid(diags.str());
    return root;
  }

  /// read_file, then its includes and extends.
  Result<Node> load_file(const std::string& path, const Environment& env) {
    auto root = read_file(path, env);
    if (!root) return root;
    Diagnostics diags;
    IncludeLoader inc = [&](const IncludeSpec& spec) { return load_included(spec); };
    apply_include(*root, path, inc, diags);
    FileLoader other = [&](const std::string& p) { return read_file(p, env); };
    apply_extends(*root, path, other, home_, diags);
    if (!diags.empty()) return invalid(diags.str());
    return root;
  }

  Result<Node> load_files(const std::vector<std::string>& files, const Environment& env, const std::string&) {
    Node root = Node::map();
    for (const std::string& f : files) {
      auto tree = load_file(f, env);
      if (!tree) return tree;
      if (root.entries.empty()) root.mark = tree->mark;
      merge_projects(root, std::move(*tree));
    }
    drop_reset(root);
    return root;
  }

  Result<Node> load_included(const IncludeSpec& spec) {
    for (const std::string& p : spec.paths) {
      if (std::find(include_stack_.begin(), include_stack_.end(), p) != include_stack_.end()) {
        std::string chain;
        for (const std::string& f : include_stack_) chain += display(f) + " -> ";
        return invalid("include cycle: " + chain + display(p));
      }
      if (!fs_.is_file(p)) return engine::base::not_found("included file " + display(p) + " not found");
    }
    std::map<std::string, std::string> dotenv;
    std::vector<std::string> env_files = spec.env_files;
    if (env_files.empty() && fs_.is_file(join_path(spec.project_directory, ".env")))
      env_files.push_back(join_path(spec.project_directory, ".env"));
    for (const std::string& e : env_files) {
      auto text = fs_.read(e);
      if (!text) return text.take_error();
      auto pairs = parse_env_file(*text, display(e), layered(shell_, dotenv));
      if (!pairs) return pairs.take_error();
      for (auto& [k, v] : *pairs) dotenv[k] = v;
    }
    include_stack_.insert(include_stack_.end(), spec.paths.begin(), spec.paths.end());
    auto tree = load_files(spec.paths, layered(shell_, dotenv), spec.project_directory);
    include_stack_.resize(include_stack_.size() - spec.paths.size());
    if (!tree) return tree;
    if (Node* services = tree->find("services"))
      for (Entry& e : services->entries)
        if (e.value.is_map()) resolve_service_paths(e.value, spec.project_directory, home_);
    for (const char* kind : {"secrets", "configs"})
      if (Node* top = tree->find(kind))
        for (Entry& e : top->entries)
          if (Node* f = e.value.find("file"); f && f->is_scalar())
            f->text = absolute_path(spec.project_directory, f->text, home_);
    return tree;
  }

  const LoadOptions& opts_;
  const Environment& shell_;
  FileSystem& fs_;
  std::string home_, working_dir_;
  std::vector<std::string> include_stack_;
  std::vector<std::string> warnings_;
  std::set<std::string> unset_;  ///< variables substituted as blank because they are not set
};

}  // namespace

std::string normalize_project_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') out += l;
  }
  size_t start = out.find_first_not_of("_-");
  return start == std::string::npos ? "" : out.substr(start);
}

Result<LoadedTree> load_tree(const LoadOptions& opts, const Environment& env, FileSystem& fs) {
  Pipeline p(opts, env, fs);
  return p.run();
}

Result<model::Project> load_project(const LoadOptions& opts, const Environment& env, FileSystem& fs) {
  auto tree = load_tree(opts, env, fs);
  if (!tree) return tree.take_error();
  auto project = model::project_from_json(to_json(tree->root));
  if (!project) return project.take_error();
  project->name = tree->project_name;
  project->working_dir = tree->project_directory;
  project->files = tree->files;
  project->profiles = tree->profiles;
  project->warnings = tree->warnings;
  return project;
}

Result<model::Project> load_project(const LoadOptions& opts) {
  DiskFileSystem fs;
  return load_project(opts, Environment::process(), fs);
}

}  // namespace compose::load
