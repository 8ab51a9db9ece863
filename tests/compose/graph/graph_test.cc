#include "compose/graph/graph.h"

#include <doctest/doctest.h>

#include "compose/helpers.h"
#include "compose/model/codec.h"

namespace compose::graph {

TEST_CASE("graph: levels from depends_on, network_mode, volumes_from and links") {
  testing::Fixture f;
  f.file(R"(
services:
  web: {image: x, depends_on: [api]}
  api: {image: x, depends_on: [db, cache], links: ["logger:log"]}
  db: {image: x}
  cache: {image: x, volumes_from: ["db:ro"]}
  logger: {image: x}
  sidecar: {image: x, network_mode: "service:web"}
)");
  auto p = model::project_from_json(f.json());
  REQUIRE(p.ok());
  Graph g = Graph::from_project(*p);
  auto lv = g.levels();
  REQUIRE(lv.ok());
  CHECK(*lv == std::vector<std::vector<std::string>>{{"db", "logger"}, {"cache"}, {"api"}, {"web"}, {"sidecar"}});
  CHECK(g.dependents("db") == std::set<std::string>{"api", "cache"});
  auto order = g.start_order();
  REQUIRE(order.ok());
  CHECK(order->front() == "db");
  CHECK(order->back() == "sidecar");
}

TEST_CASE("graph: cycles are found and named") {
  Graph g;
  g.add_edge("a", "b");
  g.add_edge("b", "c");
  g.add_edge("c", "a");
  g.add_node("z");
  auto c = g.find_cycle();
  REQUIRE(c.has_value());
  CHECK(*c == std::vector<std::string>{"a", "b", "c", "a"});
  auto lv = g.levels();
  REQUIRE_FALSE(lv.ok());
  CHECK(lv.error().message == "dependency cycle: a -> b -> c -> a");
}

TEST_CASE("graph: helpers parse service references") {
  CHECK(service_of_network_mode("service:web") == "web");
  CHECK(service_of_network_mode("host").empty());
  CHECK(service_of_volumes_from("db:ro") == "db");
  CHECK(service_of_volumes_from("container:abc").empty());
  CHECK(service_of_link("db:database") == "db");
}

}  // namespace compose::graph
