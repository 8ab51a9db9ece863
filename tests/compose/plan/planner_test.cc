// The convergence planner: desired vs actual -> actions.
#include <doctest/doctest.h>

#include "compose/model/codec.h"
#include "compose/plan/planner.h"
#include "compose/plan/plan_helpers.h"

using namespace compose::plan;

namespace {

const char* kStack = R"(
services:
  db: {image: db, volumes: ["data:/var/lib/db"]}
  api: {image: api, depends_on: [db]}
  web: {image: web, depends_on: [api], deploy: {replicas: 2}}
volumes: {data: {}}
)";

ContainerSummary running(const compose::model::Project& p, const std::string& svc, int n,
                         const std::string& state = "running") {
  ContainerSummary c;
  c.id = svc + std::to_string(n);
  c.name = "demo-" + svc + "-" + std::to_string(n);
  c.state = state;
  c.labels = {{"com.docker.compose.project", "demo"}, {"com.docker.compose.service", svc},
              {"com.docker.compose.container-number", std::to_string(n)},
              {"com.docker.compose.oneoff", "False"}};
  if (p.services.count(svc)) c.labels["com.docker.compose.config-hash"] = compose::model::config_hash(p.services.at(svc));
  return c;
}

std::vector<std::string> steps(const UpPlan& plan, const std::string& svc) {
  std::vector<std::string> out;
  for (const ContainerAction& a : plan.containers.at(svc))
    out.push_back(std::string(step_name(a.step)) + " " + std::to_string(a.number));
  return out;
}

}  // namespace

TEST_CASE("planner: a fresh project creates networks, volumes and every replica in start order") {
  auto p = test::project(kStack);
  auto plan = plan_up(p, Actual{}, UpOptions{});
  REQUIRE(plan.ok());
  CHECK(plan->services == std::vector<std::string>{"db", "api", "web"});
  CHECK(plan->networks == std::vector<std::string>{"default"});
  CHECK(plan->volumes == std::vector<std::string>{"data"});
  CHECK(plan->pulls == std::vector<std::string>{"api", "db", "web"});
  CHECK(steps(*plan, "web") == std::vector<std::string>{"create 1", "create 2"});
  CHECK(steps(*plan, "db") == std::vector<std::string>{"create 1"});
}

TEST_CASE("planner: a second up keeps what matches and recreates only changed services") {
  auto p = test::project(kStack);
  Actual a;
  a.networks = {"demo_default"};
  a.volumes = {"demo_data"};
  a.image_ids = {{"db", "sha256:d"}, {"api", "sha256:a"}, {"web", "sha256:w"}};
  a.containers = {running(p, "db", 1), running(p, "api", 1), running(p, "web", 1), running(p, "web", 2, "exited")};
  a.containers[1].labels["com.docker.compose.config-hash"] = "old";
  auto plan = plan_up(p, a, UpOptions{});
  REQUIRE(plan.ok());
  CHECK(plan->networks.empty());
  CHECK(plan->volumes.empty());
  CHECK(plan->pulls.empty());
  CHECK(steps(*plan, "db") == std::vector<std::string>{"keep 1"});
  CHECK(steps(*plan, "api") == std::vector<std::string>{"recreate 1"});
  CHECK(steps(*plan, "web") == std::vector<std::string>{"keep 1", "start 2"});

  UpOptions no_recreate;
  no_recreate.no_recreate = true;
  CHECK(steps(*plan_up(p, a, no_recreate), "api") == std::vector<std::string>{"keep 1"});
  UpOptions force;
  force.force_recreate = true;
  CHECK(steps(*plan_up(p, a, force), "db") == std::vector<std::string>{"recreate 1"});
}

TEST_CASE("planner: an image whose id changed recreates its containers") {
  auto p = test::project(kStack);
  Actual a;
  a.image_ids = {{"db", "sha256:new"}};
  a.containers = {running(p, "db", 1)};
  a.containers[0].image_id = "sha256:old";
  CHECK(steps(*plan_up(p, a, UpOptions{}), "db") == std::vector<std::string>{"recreate 1"});
}

TEST_CASE("planner: --scale removes the highest numbers and fills gaps") {
  auto p = test::project(kStack);
  Actual a;
  a.containers = {running(p, "web", 1), running(p, "web", 3), running(p, "web", 4)};
  UpOptions o;
  o.scale = {{"web", 2}};
  CHECK(steps(*plan_up(p, a, o), "web") == std::vector<std::string>{"keep 1", "keep 3", "remove 4"});
  o.scale = {{"web", 4}};
  CHECK(steps(*plan_up(p, a, o), "web") == std::vector<std::string>{"keep 1", "create 2", "keep 3", "keep 4"});
}

TEST_CASE("planner: named services bring their dependencies unless --no-deps") {
  auto p = test::project(kStack);
  UpOptions o;
  o.services = {"api"};
  CHECK(plan_up(p, Actual{}, o)->services == std::vector<std::string>{"db", "api"});
  o.no_deps = true;
  CHECK(plan_up(p, Actual{}, o)->services == std::vector<std::string>{"api"});
  o.services = {"nope"};
  CHECK(plan_up(p, Actual{}, o).error().message == "no such service: nope");
}

TEST_CASE("planner: orphans, external resources and pull policies") {
  auto p = test::project(R"(
services:
  a: {image: a, pull_policy: never, networks: [ext]}
  b: {image: b, pull_policy: always}
networks: {ext: {external: true, name: shared}}
)");
  Actual a;
  a.containers = {running(p, "gone", 1)};
  auto plan = plan_up(p, a, UpOptions{});
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().message == "network shared declared as external, but could not be found");
  a.networks = {"shared"};
  a.image_ids = {{"b", "sha256:b"}};
  plan = plan_up(p, a, UpOptions{});
  REQUIRE(plan.ok());
  CHECK(plan->networks == std::vector<std::string>{"default"});
  CHECK(plan->pulls == std::vector<std::string>{"b"});
  REQUIRE(plan->orphans.size() == 1);
  CHECK(plan->orphans[0].name == "demo-gone-1");
}

TEST_CASE("planner: down stops in reverse dependency levels, then networks and (-v) volumes") {
  auto p = test::project(kStack);
  Actual a;
  a.networks = {"demo_default"};
  a.volumes = {"demo_data"};
  a.containers = {running(p, "web", 2), running(p, "db", 1), running(p, "api", 1), running(p, "web", 1),
                  running(p, "gone", 1)};
  auto plan = plan_down(p, a, false, false);
  REQUIRE(plan.ok());
  std::vector<std::vector<std::string>> groups;
  for (const auto& g : plan->stop_groups) {
    groups.emplace_back();
    for (const auto& c : g) groups.back().push_back(c.name);
  }
  CHECK(groups == std::vector<std::vector<std::string>>{{"demo-web-1", "demo-web-2"}, {"demo-api-1"}, {"demo-db-1"}});
  CHECK(plan->networks == std::vector<std::string>{"demo_default"});
  CHECK(plan->volumes.empty());
  plan = plan_down(p, a, true, true);
  CHECK(plan->stop_groups.front()[0].name == "demo-gone-1");
  CHECK(plan->volumes == std::vector<std::string>{"demo_data"});
}
