#pragma once
/// Helpers for compose tests: load inline YAML through the whole pipeline with an
/// in-memory file system rooted at /proj.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "compose/load/loader.h"

namespace compose::testing {

/// Files (path -> content) plus environment for one load.
struct Fixture {
  load::MemoryFileSystem fs;
  std::map<std::string, std::string> env{{"HOME", "/home/u"}};
  load::LoadOptions opts;

  Fixture() { opts.working_dir = "/proj"; }
  /// Adds /proj/compose.yaml (or another path).
  Fixture& file(const std::string& text, const std::string& path = "/proj/compose.yaml") {
    fs.add(path, text);
    return *this;
  }
  engine::base::Result<load::LoadedTree> load() {
    return load::load_tree(opts, load::Environment::from_map(env), fs);
  }
  /// Canonical JSON of the project; fails the test on error.
  nlohmann::json json();
  /// The error text; fails the test when the load succeeds.
  std::string error();
};

/// Loads one inline compose file and returns services.<name> as JSON.
nlohmann::json service(const std::string& yaml, const std::string& name = "web");

}  // namespace compose::testing
