#include "compose/plan/plan_helpers.h"

#include <stdexcept>

#include "compose/load/loader.h"

namespace test {

compose::model::Project project(const std::string& yaml, const std::string& name) {
  compose::load::MemoryFileSystem fs;
  fs.add("/proj/compose.yaml", yaml);
  compose::load::LoadOptions opts;
  opts.working_dir = "/proj";
  opts.project_name = name;
  auto p = compose::load::load_project(opts, compose::load::Environment::from_map({{"HOME", "/home/u"}}), fs);
  if (!p) throw std::runtime_error("load: " + p.error().str());
  return *p;
}

compose::plan::RunOptions fast_run_options() {
  compose::plan::RunOptions o;
  o.poll = std::chrono::milliseconds(1);
  o.timeout = std::chrono::milliseconds(2000);
  return o;
}

}  // namespace test
