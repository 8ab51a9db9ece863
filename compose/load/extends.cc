#include "compose/load/extends.h"

#include <map>
#include <vector>

#include "compose/load/merge.h"
#include "compose/load/normalize.h"
#include "compose/load/paths.h"

namespace compose::load {
namespace {

using engine::base::invalid;

struct Ref {
  std::string file, service;
  bool operator==(const Ref& o) const { return file == o.file && service == o.service; }
};

class Resolver {
 public:
  Resolver(const FileLoader& load, const std::string& home) : load_(load), home_(home) {}

  /// The service `name` of `tree` (from `file`) with its extends chain applied.
  engine::base::Result<Node> resolve(Node& tree, const std::string& file, const std::string& name) {
    Node* services = tree.find("services");
    Node* svc = services ? services->find(name) : nullptr;
    if (!svc) return invalid("service \"" + name + "\" not found in " + file);
    const Node* ext = svc->find("extends");
    if (!ext) return *svc;
    Ref me{file, name};
    for (const Ref& r : stack_)
      if (r == me) {
        std::string chain;
        for (const Ref& s : stack_) chain += s.service + " -> ";
        return invalid(located(ext->mark, "services." + name + ".extends", "extends cycle: " + chain + name));
      }
    std::string base_name = ext->is_scalar() ? ext->text : ext->get_text("service");
    std::string base_file = ext->is_map() ? ext->get_text("file") : "";
    if (base_name.empty())
      return invalid(located(ext->mark, "services." + name + ".extends", "service is required"));
    stack_.push_back(me);
    engine::base::Result<Node> base = engine::base::internal("unset");
    if (base_file.empty()) {
      base = resolve(tree, file, base_name);
    } else {
      std::string path = join_path(dir_name(file), base_file);
      auto other = cached(path);
      if (!other) {
        stack_.pop_back();
        return invalid(located(ext->mark, "services." + name + ".extends.file", other.error().str()));
      }
      base = resolve(**other, path, base_name);
      if (base) resolve_service_paths(*base, dir_name(path), home_);
    }
    stack_.pop_back();
    if (!base) {
      if (base.error().message.find("not found in") != std::string::npos)
        return invalid(located(ext->mark, "services." + name + ".extends", base.error().message));
      return base;
    }
    Node result = std::move(*base);
    result.erase("extends");
    Node own = *svc;
    own.erase("extends");
    merge_nodes(result, std::move(own), "services.*");
    result.mark = svc->mark;
    if (base_file.empty()) *svc = result;  // memoize within this file
    return result;
  }

 private:
  engine::base::Result<Node*> cached(const std::string& path) {
    auto it = files_.find(path);
    if (it == files_.end()) {
      auto r = load_(path);
      if (!r) return r.take_error();
      it = files_.emplace(path, std::move(*r)).first;
    }
    return &it->second;
  }

  const FileLoader& load_;
  std::string home_;
  std::vector<Ref> stack_;
  std::map<std::string, Node> files_;
};

}  // namespace

void apply_extends(Node& root, const std::string& file, const FileLoader& load, const std::string& home,
                   Diagnostics& diags) {
  Node* services = root.find("services");
  if (!services || !services->is_map()) return;
  Resolver r(load, home);
  bool cycle_reported = false;
  for (size_t i = 0; i < services->entries.size(); ++i) {
    Entry& e = services->entries[i];
    if (!e.value.is_map() || !e.value.find("extends")) continue;
    std::string name = e.key;
    auto resolved = r.resolve(root, file, name);
    if (!resolved) {
      bool cycle = resolved.error().message.find("extends cycle") != std::string::npos;
      if (cycle && cycle_reported) continue;
      cycle_reported = cycle_reported || cycle;
      diags.add_raw(resolved.error().message);
      continue;
    }
    services->entries[i].value = std::move(*resolved);
  }
}

}  // namespace compose::load
