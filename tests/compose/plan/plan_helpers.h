#pragma once
/// Loads an inline compose file into a typed project for the plan tests (project "demo",
/// working directory /proj, in-memory file system).
#include <string>

#include "compose/model/project.h"
#include "compose/plan/orchestrator.h"

namespace test {

/// The typed project of `yaml`; fails the test (throws) when it does not load.
compose::model::Project project(const std::string& yaml, const std::string& name = "demo");

/// Run options for tests against the fake engine: 1 ms polls, 2 s timeout.
compose::plan::RunOptions fast_run_options();

}  // namespace test
