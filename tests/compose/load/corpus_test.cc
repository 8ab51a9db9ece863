// Loads every compose file of the awesome-compose corpus (shared/corpus/awesome-compose,
// beside the repository). Each either loads, or fails with the exact reason listed in
// kExpectedFailures. A loaded project must survive the model round trip and the YAML
// printer (print, parse again, same JSON).
#include <dirent.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "compose/load/loader.h"
#include "compose/load/parse.h"
#include "compose/model/codec.h"
#include "compose/model/yaml_emit.h"

namespace compose::testing {
namespace {

const std::string kCorpus = std::string(BERTH_SOURCE_DIR) + "/../shared/corpus/awesome-compose";

/// Projects expected to fail, with the reason (a real problem in the file). Empty today:
/// every file of the corpus is valid and loads.
const std::map<std::string, std::string> kExpectedFailures = {};

std::vector<std::string> corpus_projects() {
  std::vector<std::string> out;
  DIR* d = ::opendir(kCorpus.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.') continue;
    for (const char* f : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"})
      if (load::DiskFileSystem().is_file(kCorpus + "/" + name + "/" + f)) {
        out.push_back(name);
        break;
      }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("corpus: every awesome-compose file loads or fails for its listed reason") {
  std::vector<std::string> projects = corpus_projects();
  INFO("corpus: " << kCorpus);
  REQUIRE(!projects.empty());
  load::DiskFileSystem fs;
  // A fixed environment keeps the test independent of the caller's shell.
  load::Environment env = load::Environment::from_map({{"HOME", "/home/tester"}});
  int loaded = 0, failed = 0, services = 0;
  for (const std::string& p : projects) {
    CAPTURE(p);
    load::LoadOptions opts;
    opts.working_dir = kCorpus + "/" + p;
    auto tree = load::load_tree(opts, env, fs);
    auto expected = kExpectedFailures.find(p);
    if (expected != kExpectedFailures.end()) {
      REQUIRE_FALSE(tree.ok());
      CHECK(tree.error().message == expected->second);
      ++failed;
      continue;
    }
    REQUIRE_MESSAGE(tree.ok(), tree.error().str());
    ++loaded;
    nlohmann::json j = load::to_json(tree->root);
    services += static_cast<int>(j["services"].size());
    auto project = model::project_from_json(j);
    REQUIRE(project.ok());
    CHECK(model::project_to_json(*project) == j);
    auto again = load::parse_yaml(model::to_yaml(j), "printed.yaml");
    REQUIRE_MESSAGE(again.ok(), again.error().message);
    CHECK(load::to_json((*again)[0]) == j);
  }
  MESSAGE("awesome-compose corpus: " << projects.size() << " projects, " << loaded << " loaded (" << services
                                     << " services), " << failed << " failed as expected");
  CHECK(loaded + failed == static_cast<int>(projects.size()));
}

}  // namespace compose::testing
