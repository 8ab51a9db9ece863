// The loader end to end on in-memory files: finding files, project name, env files,
// profiles, extends, include and the error format.
#include "compose/load/loader.h"

#include <doctest/doctest.h>

#include "compose/helpers.h"

namespace compose::testing {

using nlohmann::json;

TEST_CASE("loader: finds compose.yaml in a parent directory and loads the override beside it") {
  Fixture f;
  f.opts.working_dir = "/proj/sub/dir";
  f.file("services: {web: {image: a, ports: ['80:80']}}");
  f.file("services: {web: {image: b}}", "/proj/compose.override.yaml");
  auto r = f.load();
  REQUIRE(r.ok());
  CHECK(r->files == std::vector<std::string>{"/proj/compose.yaml", "/proj/compose.override.yaml"});
  CHECK(r->project_directory == "/proj");
  CHECK(r->project_name == "proj");
  json j = to_json(r->root)["services"]["web"];
  CHECK(j["image"] == "b");
  CHECK(j["ports"].size() == 1);
}

TEST_CASE("loader: warns of unset variables once each and of an obsolete version, as docker compose does") {
  Fixture f;
  f.env["SET"] = "1";
  f.file("version: '3'\nservices:\n  web:\n    image: app:${TAG}\n    command: echo $NOPE ${NOPE} $$LITERAL\n"
         "    environment: {A: '${D:-x}', B: '${E-y}', C: '${F:+z}', G: '${SET}'}\n");
  auto r = f.load();
  REQUIRE(r.ok());
  CHECK(r->warnings == std::vector<std::string>{
                           "compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to "
                           "avoid potential confusion",
                           "The \"NOPE\" variable is not set. Defaulting to a blank string.",
                           "The \"TAG\" variable is not set. Defaulting to a blank string."});
  CHECK(to_json(r->root)["services"]["web"]["image"] == "app:");
  f.file("services: {web: {image: a}}");
  auto quiet = f.load();
  REQUIRE(quiet.ok());
  CHECK(quiet->warnings.empty());
}

TEST_CASE("loader: docker-compose.yml is found when compose.yaml is absent") {
  Fixture f;
  f.file("services: {web: {image: a}}", "/proj/docker-compose.yml");
  f.file("services: {web: {image: c}}", "/proj/docker-compose.override.yml");
  CHECK(f.json()["services"]["web"]["image"] == "c");
}

TEST_CASE("loader: file names are preferred in docker compose's order and any override goes with any base") {
  Fixture f;
  f.file("services: {web: {image: a}}", "/proj/docker-compose.yaml");
  f.file("services: {web: {image: b}}", "/proj/docker-compose.yml");
  f.file("services: {web: {image: c}}", "/proj/docker-compose.override.yaml");
  f.file("services: {web: {image: d}}", "/proj/compose.override.yml");
  CHECK(f.load()->files == std::vector<std::string>{"/proj/docker-compose.yml", "/proj/compose.override.yml"});
}

TEST_CASE("loader: no file found is a clear error") {
  Fixture f;
  auto r = f.load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("no configuration file provided") == 0);
}

TEST_CASE("loader: -f files merge in order, COMPOSE_FILE is used without -f") {
  Fixture f;
  f.file("services: {web: {image: a}}", "/proj/one.yaml");
  f.file("services: {web: {image: b}, db: {image: d}}", "/proj/two.yaml");
  f.opts.files = {"one.yaml", "two.yaml"};
  CHECK(f.json()["services"]["web"]["image"] == "b");
  Fixture g;
  g.file("services: {web: {image: a}}", "/proj/one.yaml");
  g.file("services: {web: {image: b}}", "/proj/two.yaml");
  g.env["COMPOSE_FILE"] = "two.yaml:one.yaml";
  CHECK(g.json()["services"]["web"]["image"] == "a");
  g.env["COMPOSE_FILE"] = "one.yaml;two.yaml";
  g.env["COMPOSE_PATH_SEPARATOR"] = ";";
  CHECK(g.json()["services"]["web"]["image"] == "b");
}

TEST_CASE("loader: COMPOSE_FILE may come from the .env of the working directory") {
  Fixture f;
  f.file("services: {web: {image: a}}");
  f.file("services: {web: {image: b}}", "/proj/other.yaml");
  f.fs.add("/proj/.env", "COMPOSE_FILE=compose.yaml:other.yaml\n");
  CHECK(f.json()["services"]["web"]["image"] == "b");
  f.env["COMPOSE_FILE"] = "compose.yaml";
  CHECK(f.json()["services"]["web"]["image"] == "a");
}

TEST_CASE("loader: project name from -p, COMPOSE_PROJECT_NAME, name: and the directory") {
  Fixture f;
  f.file("name: From_File\nservices: {web: {image: a}}");
  CHECK(f.load()->project_name == "from_file");
  f.env["COMPOSE_PROJECT_NAME"] = "from_env";
  CHECK(f.load()->project_name == "from_env");
  f.opts.project_name = "cli-name";
  CHECK(f.load()->project_name == "cli-name");
  CHECK(f.json()["name"] == "cli-name");
}

TEST_CASE("loader: a project name given with -p or COMPOSE_PROJECT_NAME must already be valid") {
  Fixture f;
  f.file("services: {web: {image: a}}");
  f.opts.project_name = "cli.Name";
  CHECK(f.error() == "invalid project name \"cli.Name\": must consist only of lowercase alphanumeric characters, "
                     "hyphens, and underscores as well as start with a letter or number");
  f.opts.project_name.clear();
  f.env["COMPOSE_PROJECT_NAME"] = "_lead";
  CHECK(f.error().find("invalid project name \"_lead\"") == 0);
}

TEST_CASE("loader: .env feeds interpolation and the shell environment wins") {
  Fixture f;
  f.fs.add("/proj/.env", "TAG=from-dotenv\nPORT=8080\n");
  f.env["TAG"] = "from-shell";
  f.file("services: {web: {image: \"nginx:${TAG}\", ports: [\"${PORT}:80\"]}}");
  json j = f.json()["services"]["web"];
  CHECK(j["image"] == "nginx:from-shell");
  CHECK(j["ports"][0]["published"] == "8080");
}

TEST_CASE("loader: --env-file replaces .env and may be repeated") {
  Fixture f;
  f.fs.add("/proj/.env", "TAG=dotenv\n");
  f.fs.add("/proj/a.env", "TAG=a\nX=1\n");
  f.fs.add("/proj/b.env", "TAG=b\n");
  f.opts.env_files = {"a.env", "b.env"};
  f.file("services: {web: {image: \"i:${TAG}-${X}\"}}");
  CHECK(f.json()["services"]["web"]["image"] == "i:b-1");
}

TEST_CASE("loader: --no-interpolate keeps expressions") {
  Fixture f;
  f.opts.no_interpolate = true;
  f.file("services: {web: {image: \"nginx:${TAG:-x}\"}}");
  CHECK(f.json()["services"]["web"]["image"] == "nginx:${TAG:-x}");
  // Values are not checked (they may hold ${...}), keys still are.
  Fixture g;
  g.opts.no_interpolate = true;
  g.file("services:\n  web:\n    image: x\n    privileged: ${PRIV}\n    portz: [80]\n");
  CHECK(g.error() == "compose.yaml:5:5: services.web: unknown key \"portz\"");
}

TEST_CASE("loader: profiles switch services on, a named service switches its profile on") {
  Fixture f;
  f.file(R"(
services:
  web: {image: a}
  debug: {image: b, profiles: [dev]}
  tools: {image: c, profiles: [ops], depends_on: [helper]}
  helper: {image: d, profiles: [ops-helper]}
)");
  auto names = [&] {
    std::vector<std::string> out;
    json j = f.json();
    for (auto& [k, v] : j["services"].items()) out.push_back(k);
    return out;
  };
  CHECK(names() == std::vector<std::string>{"web"});
  f.opts.profiles = {"dev"};
  CHECK(names() == std::vector<std::string>{"debug", "web"});
  f.opts.profiles = {};
  f.env["COMPOSE_PROFILES"] = "dev,ops-helper";
  CHECK(names() == std::vector<std::string>{"debug", "helper", "web"});
  f.env.erase("COMPOSE_PROFILES");
  f.opts.services = {"tools"};
  CHECK(names() == std::vector<std::string>{"helper", "tools", "web"});
  f.opts.services = {};
  f.opts.profiles = {"*"};
  CHECK(names().size() == 4);
}

TEST_CASE("loader: extends in the same file, chained") {
  json j = service(R"(
services:
  base: {image: a, environment: {A: "1"}, ports: ["80:80"]}
  mid: {extends: base, environment: {B: "2"}}
  web: {extends: {service: mid}, command: run, ports: ["81:81"]}
)");
  CHECK(j["image"] == "a");
  CHECK(j["environment"] == json{{"A", "1"}, {"B", "2"}});
  CHECK(j["command"] == json{"run"});
  CHECK(j["ports"].size() == 2);
  CHECK_FALSE(j.contains("extends"));
}

TEST_CASE("loader: extends from another file resolves its paths against that file's folder") {
  Fixture f;
  f.fs.add("/proj/common/base.yaml", "services:\n  app:\n    build: ./src\n    env_file: app.env\n    volumes: ['./conf:/conf']\n");
  f.fs.add("/proj/common/app.env", "FROM_BASE=1\n");
  f.file("services:\n  web:\n    extends: {file: common/base.yaml, service: app}\n    image: x\n");
  json j = f.json()["services"]["web"];
  CHECK(j["build"]["context"] == "/proj/common/src");
  CHECK(j["environment"] == json{{"FROM_BASE", "1"}});
  CHECK(j["volumes"][0]["source"] == "/proj/common/conf");
}

TEST_CASE("loader: an extends cycle is reported") {
  Fixture f;
  f.file("services:\n  a: {extends: b, image: x}\n  b: {extends: a, image: y}\n");
  CHECK(f.error() == "compose.yaml:2:16: services.a.extends: extends cycle: a -> b -> a");
}

TEST_CASE("loader: extends of an unknown service") {
  Fixture f;
  f.file("services:\n  a:\n    extends: nope\n");
  CHECK(f.error() == "compose.yaml:3:14: services.a.extends: service \"nope\" not found in /proj/compose.yaml");
}

TEST_CASE("loader: an include cycle is an error, not a loop") {
  Fixture f;
  f.fs.add("/proj/lib/compose.yaml", "include: [../compose.yaml]\nservices:\n  db: {image: y}\n");
  f.file("include:\n  - lib/compose.yaml\nservices:\n  web: {image: x}\n");
  CHECK(f.error() == "lib/compose.yaml:1:11: include[0]: include cycle: compose.yaml -> lib/compose.yaml -> compose.yaml");
}

TEST_CASE("loader: include brings another project's resources with its own directory and env") {
  Fixture f;
  f.fs.add("/proj/lib/compose.yaml",
           "services:\n  db:\n    image: \"postgres:${PGV}\"\n    volumes: ['./init:/init']\nvolumes:\n  pg: {}\n");
  f.fs.add("/proj/lib/.env", "PGV=16\n");
  f.file("include:\n  - lib/compose.yaml\nservices:\n  web: {image: x, depends_on: [db]}\n");
  json j = f.json();
  CHECK(j["services"]["db"]["image"] == "postgres:16");
  CHECK(j["services"]["db"]["volumes"][0]["source"] == "/proj/lib/init");
  CHECK(j["volumes"]["pg"]["name"] == "proj_pg");
}

TEST_CASE("loader: a resource defined both locally and by an include is an error") {
  Fixture f;
  f.fs.add("/proj/lib/compose.yaml", "services:\n  web: {image: y}\n");
  f.file("include: [lib/compose.yaml]\nservices:\n  web: {image: x}\n");
  CHECK(f.error() == "compose.yaml:3:8: services.web: conflicts with imported resource from /proj/lib/compose.yaml");
}

TEST_CASE("loader: schema errors name the key and its line") {
  Fixture f;
  f.file("services:\n  web:\n    image: x\n    prots: ['80:80']\n    privileged: maybe\n");
  CHECK(f.error() ==
        "compose.yaml:4:5: services.web: unknown key \"prots\"\n"
        "compose.yaml:5:17: services.web.privileged: a string is not allowed here");
  Fixture g;
  g.file("version: '3'\nservice:\n  web: {image: x}\n");
  CHECK(g.error() == "compose.yaml:2:1: unknown key \"service\"");
}

TEST_CASE("loader: every unknown key is reported at its line, sorted by position") {
  Fixture f;
  f.file(R"(services:
  web:
    image: x
    portz: ['80:80']
    environment: {A: 1}
    enviroment: {B: 2}
    healthcheck: {test: "true", intervall: 5s, retry: 3}
  db:
    image: y
    volumez: []
networks:
  n: {drivr: bridge}
)");
  CHECK(f.error() ==
        "compose.yaml:4:5: services.web: unknown key \"portz\"\n"
        "compose.yaml:6:5: services.web: unknown key \"enviroment\"\n"
        "compose.yaml:7:33: services.web.healthcheck: unknown key \"intervall\"\n"
        "compose.yaml:7:48: services.web.healthcheck: unknown key \"retry\"\n"
        "compose.yaml:10:5: services.db: unknown key \"volumez\"\n"
        "compose.yaml:12:7: networks.n: unknown key \"drivr\"");
}

TEST_CASE("loader: x- extensions are allowed at the top level and in services, networks and volumes") {
  Fixture f;
  f.file("x-top: 1\nservices:\n  web: {image: x, x-svc: {a: 1}}\nnetworks:\n  n: {x-net: true}\nvolumes:\n  v: {x-vol: 2}\n");
  json j = f.json();
  CHECK(j["x-top"] == 1);
  CHECK(j["services"]["web"]["x-svc"] == json{{"a", 1}});
  CHECK(j["networks"]["n"]["x-net"] == true);
}

TEST_CASE("loader: errors of a phase are sorted and all reported") {
  Fixture f;
  f.file("services:\n  web: {image: x, ports: ['1:99999']}\n  db: {image: y, ports: ['0:abc']}\n");
  CHECK(f.error() ==
        "compose.yaml:2:27: services.web.ports[0]: port 99999 is out of range\n"
        "compose.yaml:3:26: services.db.ports[0]: invalid port \"abc\"");
}

}  // namespace compose::testing

namespace compose::testing {

TEST_CASE("loader: -f - reads standard input, the working directory is the project directory") {
  Fixture f;
  f.fs.add("-", "services:\n  web: {image: x, volumes: ['./d:/d']}\n");
  f.opts.files = {"-"};
  auto r = f.load();
  REQUIRE(r.ok());
  CHECK(r->project_directory == "/proj");
  CHECK(to_json(r->root)["services"]["web"]["volumes"][0]["source"] == "/proj/d");
  Fixture g;
  g.fs.add("-", "services:\n  web: {image: x, ports: ['99999']}\n");
  g.opts.files = {"-"};
  CHECK(g.error() == "<stdin>:2:27: services.web.ports[0]: port 99999 is out of range");
}

TEST_CASE("loader: --project-directory moves the search, .env and relative paths") {
  Fixture f;
  f.opts.working_dir = "/elsewhere";
  f.opts.project_directory = "/proj";
  f.fs.add("/proj/.env", "IMG=from-dotenv\n");
  f.file("services:\n  web: {image: \"${IMG}\", build: .}\n");
  nlohmann::json j = f.json();
  CHECK(j["services"]["web"]["image"] == "from-dotenv");
  CHECK(j["services"]["web"]["build"]["context"] == "/proj");
}

}  // namespace compose::testing
