// libFuzzer target for the compose loader: the input is a compose file, loaded through
// every phase (parse, interpolate, include/extends, merge, profiles, schema, normalize,
// validate, model) and printed both ways (tree writers and JSON copy must agree). It must never crash, hang or use unbounded memory: a YAML alias bomb
// is refused by the parser's node budget. Build and run with scripts/fuzz-compose.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compose/load/loader.h"
#include "compose/model/codec.h"
#include "compose/model/yaml_emit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  compose::load::MemoryFileSystem fs;
  fs.add("/fuzz/compose.yaml", std::string(reinterpret_cast<const char*>(data), size));
  fs.add("/fuzz/.env", "TAG=1\nPORT=8080\n");
  fs.add("/fuzz/other.yaml", "services:\n  base: {image: x, environment: [A=1]}\n");
  compose::load::LoadOptions opts;
  opts.working_dir = "/fuzz";
  auto env = compose::load::Environment::from_map({{"HOME", "/home/fuzz"}, {"USER", "fuzz"}});
  auto tree = compose::load::load_tree(opts, env, fs);
  if (!tree) return 0;
  nlohmann::json j = compose::load::to_json(tree->root);
  auto project = compose::model::project_from_json(j);
  if (project) {
    for (const auto& [name, s] : project->services) (void)compose::model::config_hash(s);
    (void)compose::model::project_to_json(*project);
  }
  // The writers that print straight from the tree must agree with the JSON copy's.
  if (compose::load::to_yaml_text(tree->root) != compose::model::to_yaml(j)) __builtin_trap();
  if (compose::load::to_json_text(tree->root) != j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")
    __builtin_trap();
  return 0;
}
