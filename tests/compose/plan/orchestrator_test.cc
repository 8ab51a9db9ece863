// The orchestrator against a FakeEngine that records calls.
#include <doctest/doctest.h>

#include <algorithm>

#include "compose/plan/fake_engine.h"
#include "compose/plan/orchestrator.h"
#include "compose/plan/plan_helpers.h"

using namespace compose::plan;

namespace {


size_t index_of(const std::vector<std::string>& calls, const std::string& c) {
  auto it = std::find(calls.begin(), calls.end(), c);
  REQUIRE_MESSAGE(it != calls.end(), "missing call: " << c);
  return static_cast<size_t>(it - calls.begin());
}

const char* kChain = R"(
services:
  db:
    image: db
    volumes: ["data:/data"]
    healthcheck: {test: ["CMD", "true"], interval: 1s}
  migrate: {image: tool, depends_on: {db: {condition: service_healthy}}}
  api: {image: api, depends_on: {migrate: {condition: service_completed_successfully}, db: {condition: service_healthy}}}
  web: {image: web, depends_on: [api]}
volumes: {data: {}}
)";

}  // namespace

TEST_CASE("orchestrator: up creates resources, then containers, and starts them gated on their conditions") {
  auto p = test::project(kChain);
  test::FakeEngine e;
  e.exit_after_start = {{"migrate", 0}};
  e.start_delay_ms = 20;  // the gated chain takes a while, so the creates visibly come first
  std::vector<std::string> events;
  Orchestrator o(e, [&](const Event& ev) { events.push_back(ev.kind + " " + ev.name + " " + ev.status); }, test::fast_run_options());
  auto st = o.up(p, UpOptions{});
  REQUIRE_MESSAGE(st.ok(), st.error().str());
  auto calls = e.calls();
  CHECK(e.calls_with("pull ") == std::vector<std::string>{"pull api", "pull db", "pull tool", "pull web"});
  CHECK(index_of(calls, "network create demo_default") < index_of(calls, "create demo-db-1"));
  CHECK(index_of(calls, "volume create demo_data") < index_of(calls, "create demo-db-1"));
  // Containers are created at once (as docker compose does); only their starts wait.
  CHECK(index_of(calls, "create demo-web-1") < index_of(calls, "start demo-api-1"));
  CHECK(index_of(calls, "start demo-db-1") < index_of(calls, "start demo-migrate-1"));
  CHECK(index_of(calls, "wait demo-migrate-1") < index_of(calls, "start demo-api-1"));
  CHECK(index_of(calls, "start demo-api-1") < index_of(calls, "start demo-web-1"));
  CHECK(e.containers_by_name().at("demo-web-1").state == "running");
  CHECK(std::count(events.begin(), events.end(), "Container demo-db-1 Healthy") >= 1);
  CHECK(std::find(events.begin(), events.end(), "Network demo_default Created") != events.end());
  CHECK(std::find(events.begin(), events.end(), "Container demo-web-1 Started") != events.end());
}

TEST_CASE("orchestrator: independent services start concurrently") {
  auto p = test::project(R"(
services:
  a: {image: x}
  b: {image: x}
  c: {image: x}
  d: {image: x}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  e.start_delay_ms = 100;
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  CHECK(e.max_concurrent_starts() >= 2);
  CHECK(e.calls_with("start ").size() == 4);
}

TEST_CASE("orchestrator: an unhealthy dependency stops the up with an error naming it") {
  auto p = test::project(kChain);
  test::FakeEngine e;
  e.health_after_start = {{"db", "unhealthy"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  auto st = o.up(p, UpOptions{});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "dependency failed to start: container demo-db-1 is unhealthy");
  CHECK(e.calls_with("start demo-migrate").empty());
  CHECK(e.calls_with("start demo-web").empty());
}

TEST_CASE("orchestrator: service_completed_successfully with a non-zero exit names the service") {
  auto p = test::project(kChain);
  test::FakeEngine e;
  e.exit_after_start = {{"migrate", 3}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  auto st = o.up(p, UpOptions{});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "dependency failed to start: service migrate didn't complete successfully: exit 3");
  CHECK(e.calls_with("start demo-api").empty());
}

TEST_CASE("orchestrator: required: false lets the dependent start anyway") {
  auto p = test::project(R"(
services:
  cache: {image: x, healthcheck: {test: ["CMD", "true"]}}
  app: {image: x, depends_on: {cache: {condition: service_healthy, required: false}}}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  e.health_after_start = {{"cache", "unhealthy"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  CHECK(o.up(p, UpOptions{}).ok());
  CHECK(e.containers_by_name().at("demo-app-1").state == "running");
}

TEST_CASE("orchestrator: a failing create reports its service") {
  auto p = test::project(R"(
services:
  a: {image: x}
  b: {image: x, depends_on: [a]}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  e.fail_create = {"demo-a-1"};
  Orchestrator o(e, nullptr, test::fast_run_options());
  auto st = o.up(p, UpOptions{});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "service a: create demo-a-1: scripted failure");
  CHECK(e.calls_with("start demo-b").empty());
}

TEST_CASE("orchestrator: a second up converges: unchanged services keep running, changed ones are recreated") {
  auto p = test::project(R"(
services:
  a: {image: x}
  b: {image: x, environment: {V: "1"}}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  e.clear_calls();
  REQUIRE(o.up(p, UpOptions{}).ok());
  CHECK(e.calls_with("create").empty());
  CHECK(e.calls_with("start").empty());
  auto changed = test::project(R"(
services:
  a: {image: x}
  b: {image: x, environment: {V: "2"}}
)");
  e.clear_calls();
  REQUIRE(o.up(changed, UpOptions{}).ok());
  CHECK(e.calls() == std::vector<std::string>{"stop demo-b-1", "rm demo-b-1 force", "create demo-b-1", "start demo-b-1"});
  CHECK(e.containers_by_name().at("demo-b-1").body["Env"] == Json::array({"V=2"}));
}

TEST_CASE("orchestrator: down removes containers in reverse order, then the network and with -v the volumes") {
  auto p = test::project(kChain);
  test::FakeEngine e;
  e.exit_after_start = {{"migrate", 0}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  e.clear_calls();
  DownOptions d;
  REQUIRE(o.down(p, d).ok());
  auto calls = e.calls();
  CHECK(index_of(calls, "rm demo-web-1 force") < index_of(calls, "stop demo-api-1"));
  CHECK(index_of(calls, "rm demo-api-1 force") < index_of(calls, "stop demo-migrate-1"));
  CHECK(index_of(calls, "rm demo-db-1 force") < index_of(calls, "network rm demo_default"));
  CHECK(e.containers_by_name().empty());
  CHECK(e.networks().empty());
  CHECK(e.volumes() == std::set<std::string>{"demo_data"});
  d.volumes = true;
  REQUIRE(o.down(p, d).ok());
  CHECK(e.volumes().empty());
}

TEST_CASE("orchestrator: wait_ready accepts one-shot services that exited 0 and fails on a dead one") {
  auto p = test::project(R"(
services:
  init: {image: x}
  app: {image: x, depends_on: {init: {condition: service_completed_successfully}}}
  crash: {image: x}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  e.exit_after_start = {{"init", 0}, {"crash", 2}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  CHECK(o.wait_ready(p, {"app", "init"}).ok());
  auto st = o.wait_ready(p, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "container demo-crash-1 exited (2)");
}

TEST_CASE("orchestrator: stop, start, kill, pause and rm act on the project's containers") {
  auto p = test::project(R"(
services:
  a: {image: x}
  b: {image: x, depends_on: [a]}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  e.clear_calls();
  REQUIRE(o.stop(p, {}).ok());
  CHECK(e.calls() == std::vector<std::string>{"stop demo-b-1", "stop demo-a-1"});
  e.clear_calls();
  REQUIRE(o.start(p, {"b"}).ok());
  CHECK(e.calls() == std::vector<std::string>{"start demo-b-1"});
  e.clear_calls();
  REQUIRE(o.pause(p, {}, false).ok());
  CHECK(e.calls() == std::vector<std::string>{"pause demo-b-1"});
  e.clear_calls();
  REQUIRE(o.pause(p, {}, true).ok());
  CHECK(e.calls() == std::vector<std::string>{"unpause demo-b-1"});
  REQUIRE(o.kill(p, {"b"}, "SIGKILL").ok());
  e.clear_calls();
  REQUIRE(o.rm(p, {}, false, false).ok());
  CHECK(e.calls() == std::vector<std::string>{"rm demo-b-1", "rm demo-a-1"});
  CHECK(o.stop(p, {"zzz"}).error().message == "no such service: zzz");
}

TEST_CASE("orchestrator: recreating a dependency restarts dependents that asked for restart: true") {
  auto p = test::project(R"(
services:
  db: {image: x, environment: {V: "1"}}
  app: {image: x, depends_on: {db: {condition: service_started, restart: true}}}
  other: {image: x, depends_on: [db]}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  auto changed = test::project(R"(
services:
  db: {image: x, environment: {V: "2"}}
  app: {image: x, depends_on: {db: {condition: service_started, restart: true}}}
  other: {image: x, depends_on: [db]}
)");
  e.clear_calls();
  REQUIRE(o.up(changed, UpOptions{}).ok());
  CHECK(e.calls_with("restart ") == std::vector<std::string>{"restart demo-app-1"});
  CHECK(e.calls_with("create ") == std::vector<std::string>{"create demo-db-1"});
}

TEST_CASE("orchestrator: deploy.replicas and --scale create numbered containers, scaling down removes the highest") {
  auto p = test::project(R"(
services:
  web: {image: x, deploy: {replicas: 3}}
)");
  test::FakeEngine e;
  e.images = {{"x", "sha256:x"}};
  Orchestrator o(e, nullptr, test::fast_run_options());
  REQUIRE(o.up(p, UpOptions{}).ok());
  auto created = e.calls_with("create ");  // replicas may be created concurrently
  std::sort(created.begin(), created.end());
  CHECK(created == std::vector<std::string>{"create demo-web-1", "create demo-web-2", "create demo-web-3"});
  CHECK(e.containers_by_name().at("demo-web-2").labels.at("com.docker.compose.container-number") == "2");
  UpOptions down_to_one;
  down_to_one.scale = {{"web", 1}};
  e.clear_calls();
  REQUIRE(o.up(p, down_to_one).ok());
  CHECK(e.calls() == std::vector<std::string>{"stop demo-web-2", "rm demo-web-2 force", "stop demo-web-3",
                                              "rm demo-web-3 force"});
}
