// `compose config` output and flags, run in-process on in-memory files.
#include <sstream>

#include <doctest/doctest.h>

#include "cli/compose_config.h"
#include "compose/helpers.h"

namespace compose::testing {
namespace {

struct Run {
  int rc;
  std::string out, err;
};

Run run(Fixture& f, const cli::ComposeConfigFlags& flags) {
  std::ostringstream out, err;
  int rc = cli::run_compose_config(flags, f.opts, load::Environment::from_map(f.env), f.fs, out, err);
  return {rc, out.str(), err.str()};
}

const char* kStack = R"(
services:
  web:
    image: nginx
    ports: ["8080:80"]
    depends_on: [db]
    environment: [MODE=prod, FLAG=true]
  db:
    image: postgres
    volumes: ["data:/var/lib/postgresql/data"]
  debug:
    build: ./debug
    profiles: [dev]
volumes:
  data:
)";

}  // namespace

TEST_CASE("compose config: canonical YAML like docker compose config") {
  Fixture f;
  f.file(kStack);
  Run r = run(f, {});
  CHECK(r.rc == 0);
  CHECK(r.out == R"(name: proj
services:
  db:
    image: postgres
    networks:
      default: null
    volumes:
      - source: data
        target: /var/lib/postgresql/data
        type: volume
        volume: {}
  web:
    depends_on:
      db:
        condition: service_started
        required: true
    environment:
      FLAG: "true"
      MODE: prod
    image: nginx
    networks:
      default: null
    ports:
      - mode: ingress
        protocol: tcp
        published: "8080"
        target: 80
networks:
  default:
    name: proj_default
volumes:
  data:
    name: proj_data
)");
}

TEST_CASE("compose config: --format json") {
  Fixture f;
  f.file(kStack);
  cli::ComposeConfigFlags flags;
  flags.format = "json";
  Run r = run(f, flags);
  CHECK(r.rc == 0);
  nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["services"]["web"]["ports"][0]["published"] == "8080");
  CHECK(j["name"] == "proj");
}

TEST_CASE("compose config: --services, --volumes, --networks, --profiles, --images") {
  Fixture f;
  f.file(kStack);
  cli::ComposeConfigFlags flags;
  flags.services = true;
  CHECK(run(f, flags).out == "db\nweb\n");
  flags = {};
  flags.volumes = true;
  CHECK(run(f, flags).out == "data\n");
  flags = {};
  flags.networks = true;
  CHECK(run(f, flags).out == "default\n");
  flags = {};
  flags.profiles = true;
  CHECK(run(f, flags).out == "dev\n");
  flags = {};
  flags.images = true;
  f.opts.profiles = {"dev"};
  CHECK(run(f, flags).out == "postgres\nproj-debug\nnginx\n");
}

TEST_CASE("compose config: --hash prints the config hash, replicas do not change it") {
  Fixture f;
  f.file("services:\n  web: {image: nginx}\n");
  cli::ComposeConfigFlags flags;
  flags.hash = "web";
  Run a = run(f, flags);
  REQUIRE(a.rc == 0);
  CHECK(a.out.size() == 4 + 64 + 1);
  Fixture g;
  g.file("services:\n  web: {image: nginx, deploy: {replicas: 3}}\n");
  CHECK(run(g, flags).out == a.out);
  Fixture h;
  h.file("services:\n  web: {image: nginx, command: [x]}\n");
  CHECK(run(h, flags).out != a.out);
  flags.hash = "nope";
  CHECK(run(f, flags).rc == 1);
}

TEST_CASE("compose config: -q validates only, the exit code says it") {
  Fixture f;
  f.file(kStack);
  cli::ComposeConfigFlags flags;
  flags.quiet = true;
  Run ok = run(f, flags);
  CHECK(ok.rc == 0);
  CHECK(ok.out.empty());
  Fixture bad;
  bad.file("services:\n  web:\n    image: x\n    ports: ['80800:80']\n");
  Run r = run(bad, flags);
  CHECK(r.rc == 1);
  CHECK(r.err == "error: compose.yaml:4:13: services.web.ports[0]: port 80800 is out of range\n");
}

TEST_CASE("compose config: named services print with their dependencies") {
  Fixture f;
  f.file(kStack);
  cli::ComposeConfigFlags flags;
  flags.names = {"web"};
  flags.services = true;
  CHECK(run(f, flags).out == "db\nweb\n");
  flags.names = {"db"};
  CHECK(run(f, flags).out == "db\n");
}

TEST_CASE("compose config: the whole project prints from the tree as the filtered JSON copy does") {
  Fixture f;
  f.file(kStack);
  for (const char* format : {"yaml", "json"}) {
    cli::ComposeConfigFlags whole, named;
    whole.format = named.format = format;
    named.names = {"web", "db"};  // the service filter still prints through the JSON copy
    Run a = run(f, whole), b = run(f, named);
    CHECK(a.rc == 0);
    CHECK(a.out == b.out);
  }
  Fixture bare;
  bare.file("name: bare\nvolumes:\n  data:\n");
  CHECK(run(bare, {}).out == "name: bare\nservices: {}\nvolumes:\n  data:\n    name: bare_data\n");
  cli::ComposeConfigFlags json;
  json.format = "json";
  CHECK(run(bare, json).out == R"({
  "name": "bare",
  "services": {},
  "volumes": {
    "data": {
      "name": "bare_data"
    }
  }
}
)");
}

}  // namespace compose::testing
