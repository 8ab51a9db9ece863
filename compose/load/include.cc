#include "compose/load/include.h"

#include "compose/load/paths.h"

namespace compose::load {
namespace {

std::vector<std::string> texts(const Node* n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n->is_scalar()) out.push_back(n->text);
  for (const Node& i : n->items)
    if (i.is_scalar()) out.push_back(i.text);
  return out;
}

/// True when a message starts with "file:line:col: ".
bool has_location(const std::string& m) {
  size_t end = m.find(": ");
  if (end == std::string::npos) return false;
  size_t c2 = m.rfind(':', end - 1);
  if (c2 == std::string::npos || c2 == 0) return false;
  size_t c1 = m.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return false;
  auto digits = [&](size_t a, size_t b) {
    return b > a && m.find_first_not_of("0123456789", a) >= b;
  };
  return digits(c1 + 1, c2) && digits(c2 + 1, end);
}

}  // namespace

void apply_include(Node& root, const std::string& file, const IncludeLoader& load, Diagnostics& diags) {
  Node* inc = root.find("include");
  if (!inc) return;
  Node entries = *inc;
  root.erase("include");
  if (!entries.is_seq()) {
    diags.add(entries.mark, "include", "must be a list");
    return;
  }
  std::string dir = file == "-" ? "." : dir_name(file);
  for (size_t i = 0; i < entries.items.size(); ++i) {
    const Node& e = entries.items[i];
    std::string path = "include[" + std::to_string(i) + "]";
    IncludeSpec spec;
    spec.mark = e.mark;
    for (const std::string& p : texts(e.is_map() ? e.find("path") : &e)) spec.paths.push_back(join_path(dir, p));
    if (spec.paths.empty()) {
      diags.add(e.mark, path, "path is required");
      continue;
    }
    std::string pd = e.is_map() ? e.get_text("project_directory") : "";
    spec.project_directory = pd.empty() ? dir_name(spec.paths[0]) : join_path(dir, pd);
    for (const std::string& f : texts(e.is_map() ? e.find("env_file") : nullptr)) spec.env_files.push_back(join_path(dir, f));
    auto sub = load(spec);
    if (!sub) {
      // An error inside the included files already names its file and line.
      if (has_location(sub.error().message)) diags.add_raw(sub.error().message);
      else diags.add(e.mark, path, sub.error().message);
      continue;
    }
    for (const char* kind : {"services", "networks", "volumes", "secrets", "configs"}) {
      Node* from = sub->find(kind);
      if (!from || !from->is_map()) continue;
      Node& to = root.at(kind, e.mark);
      if (to.is_null()) to = Node::map(e.mark);
      for (Entry& r : from->entries) {
        if (const Node* existing = to.find(r.key)) {
          diags.add(existing->mark, std::string(kind) + "." + r.key,
                    "conflicts with imported resource from " + spec.paths[0]);
          continue;
        }
        to.entries.push_back(std::move(r));
      }
    }
  }
}

}  // namespace compose::load
