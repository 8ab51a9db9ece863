// Every example stack loads and plans (no unsupported keys), so examples/ cannot rot.
#include <doctest/doctest.h>

#include <filesystem>

#include "compose/load/loader.h"
#include "compose/plan/planner.h"

TEST_CASE("examples: every examples/*/compose.yaml loads and plans") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(BERTH_SOURCE_DIR) / "examples"))
    if (fs::exists(e.path() / "compose.yaml")) files.push_back(e.path() / "compose.yaml");
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 3);
  for (const fs::path& f : files) {
    CAPTURE(f.string());
    compose::load::LoadOptions opts;
    opts.files = {f.string()};
    auto p = compose::load::load_project(opts);
    REQUIRE_MESSAGE(p.ok(), p.error().str());
    auto plan = compose::plan::plan_up(*p, compose::plan::Actual{}, compose::plan::UpOptions{});
    REQUIRE_MESSAGE(plan.ok(), plan.error().str());
    CHECK_FALSE(plan->services.empty());
  }
}
