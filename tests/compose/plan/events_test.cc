// compose events: daemon events of a project's containers in Docker Compose's shapes.
#include <doctest/doctest.h>

#include "compose/plan/events.h"

using namespace compose::plan;

namespace {

Json daemon_event(const std::string& project, const std::string& service, const std::string& action) {
  return {{"Type", "container"},
          {"Action", action},
          {"Actor",
           {{"ID", "abc123"},
            {"Attributes",
             {{"com.docker.compose.project", project},
              {"com.docker.compose.service", service},
              {"image", "busybox"},
              {"name", project + "-" + service + "-1"}}}}},
          {"time", 1764311400},
          {"timeNano", int64_t{1764311400123456789}}};
}

}  // namespace

TEST_CASE("events: a project's container event becomes compose's JSON and text shapes") {
  auto e = compose_event(daemon_event("demo", "web", "start"), "demo", {});
  REQUIRE(e);
  CHECK(event_json(*e).dump() ==
        R"({"action":"start","attributes":{"image":"busybox","name":"demo-web-1"},"id":"abc123",)"
        R"("service":"web","time":"2025-11-28T06:30:00.123456789Z","type":"container"})");
  CHECK(event_text(*e) == "2025-11-28 06:30:00.123456 container start abc123 (image=busybox, name=demo-web-1)");
}

TEST_CASE("events: other projects, other services and non-container events are left out") {
  CHECK_FALSE(compose_event(daemon_event("other", "web", "start"), "demo", {}));
  CHECK_FALSE(compose_event(daemon_event("demo", "db", "start"), "demo", {"web"}));
  CHECK(compose_event(daemon_event("demo", "web", "die"), "demo", {"web"}));
  Json net = daemon_event("demo", "web", "create");
  net["Type"] = "network";
  CHECK_FALSE(compose_event(net, "demo", {}));
}
