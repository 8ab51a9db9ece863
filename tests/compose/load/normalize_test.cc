// One TEST_CASE per compose attribute: short syntax in, canonical long syntax out.
#include <doctest/doctest.h>

#include "compose/helpers.h"

namespace compose::testing {

using nlohmann::json;

TEST_CASE("normalize: ports short syntax, ranges, IPs and protocols") {
  json j = service(R"(
services:
  web:
    image: x
    ports:
      - 80
      - "8080:80"
      - "127.0.0.1:9000:9000/udp"
      - "3000-3001"
      - "8000-8001:7000-7001"
      - "[::1]:53:53/udp"
      - "127.0.0.1::5000"
      - target: 443
        published: 8443
)");
  auto p = [](int target, const char* pub, const char* proto = "tcp", const char* ip = "") {
    json o{{"mode", "ingress"}, {"target", target}, {"protocol", proto}};
    if (*pub) o["published"] = pub;
    if (*ip) o["host_ip"] = ip;
    return o;
  };
  CHECK(j["ports"] == json{p(80, ""), p(80, "8080"), p(9000, "9000", "udp", "127.0.0.1"), p(3000, ""), p(3001, ""),
                           p(7000, "8000"), p(7001, "8001"), p(53, "53", "udp", "::1"), p(5000, "", "tcp", "127.0.0.1"),
                           p(443, "8443")});
}

TEST_CASE("normalize: volumes short syntax to long, paths made absolute") {
  json j = service(R"(
services:
  web:
    image: x
    volumes:
      - ./data:/data
      - ~/cache:/cache:ro
      - logs:/logs:nocopy
      - /anon
      - /srv:/srv:ro,z
      - type: bind
        source: ../shared
        target: /shared
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m}
volumes:
  logs: {}
)");
  CHECK(j["volumes"][0] == json{{"type", "bind"}, {"source", "/proj/data"}, {"target", "/data"},
                                {"bind", {{"create_host_path", true}}}});
  CHECK(j["volumes"][1] == json{{"type", "bind"}, {"source", "/home/u/cache"}, {"target", "/cache"},
                                {"read_only", true}, {"bind", {{"create_host_path", true}}}});
  CHECK(j["volumes"][2] == json{{"type", "volume"}, {"source", "logs"}, {"target", "/logs"}, {"volume", {{"nocopy", true}}}});
  CHECK(j["volumes"][3] == json{{"type", "volume"}, {"target", "/anon"}, {"volume", json::object()}});
  CHECK(j["volumes"][4] == json{{"type", "bind"}, {"source", "/srv"}, {"target", "/srv"}, {"read_only", true},
                                {"bind", {{"create_host_path", true}, {"selinux", "z"}}}});
  CHECK(j["volumes"][5] == json{{"type", "bind"}, {"source", "/shared"}, {"target", "/shared"}});
  CHECK(j["volumes"][6] == json{{"type", "tmpfs"}, {"target", "/tmp"}, {"tmpfs", {{"size", 67108864}}}});
}

TEST_CASE("normalize: environment list to map, bare names from the shell, env_file folded in") {
  Fixture f;
  f.env["FROM_SHELL"] = "shell";
  f.fs.add("/proj/web.env", "A=from-file\nB=from-file\n# comment\nexport C='quoted value'\n");
  f.file(R"(
services:
  web:
    image: x
    env_file:
      - web.env
      - path: ./missing.env
        required: false
    environment:
      - B=override
      - FROM_SHELL
      - UNSET_VAR
      - NUM=1
)");
  json j = f.json()["services"]["web"];
  CHECK(j["environment"] == json{{"A", "from-file"}, {"B", "override"}, {"C", "quoted value"},
                                 {"FROM_SHELL", "shell"}, {"UNSET_VAR", nullptr}, {"NUM", "1"}});
  CHECK_FALSE(j.contains("env_file"));
}

TEST_CASE("normalize: a required env_file that is missing is an error with its location") {
  Fixture f;
  f.file("services:\n  web:\n    image: x\n    env_file: nope.env\n");
  CHECK(f.error() == "compose.yaml:4:15: services.web.env_file[0]: env file /proj/nope.env not found");
}

TEST_CASE("normalize: depends_on list to map with defaults") {
  json j = service(R"(
services:
  web: {image: x, depends_on: [db]}
  db: {image: y}
)");
  CHECK(j["depends_on"] == json{{"db", {{"condition", "service_started"}, {"required", true}}}});
  json k = service(R"(
services:
  web: {image: x, depends_on: {db: {condition: service_healthy, restart: true}}}
  db: {image: y}
)");
  CHECK(k["depends_on"] == json{{"db", {{"condition", "service_healthy"}, {"required", true}, {"restart", true}}}});
}

TEST_CASE("normalize: healthcheck test string, disable and durations") {
  json j = service(R"(
services:
  web:
    image: x
    healthcheck:
      test: curl -f http://localhost
      interval: 1m30s
      timeout: 500ms
      start_period: 90s
      retries: 3
)");
  CHECK(j["healthcheck"] == json{{"test", {"CMD-SHELL", "curl -f http://localhost"}}, {"interval", "1m30s"},
                                 {"timeout", "500ms"}, {"start_period", "1m30s"}, {"retries", 3}});
  json d = service("services:\n  web:\n    image: x\n    healthcheck:\n      disable: true\n");
  CHECK(d["healthcheck"] == json{{"test", {"NONE"}}});
  json e = service("services:\n  web:\n    image: x\n    healthcheck:\n      disable: false\n      test: [CMD, a]\n");
  CHECK(e["healthcheck"] == json{{"test", {"CMD", "a"}}});
}

TEST_CASE("normalize: links, volumes_from and service: modes add implicit depends_on entries") {
  Fixture f;
  f.file(R"(
services:
  web: {image: x, links: ["db:database"], volumes_from: [data, "container:c"], ipc: "service:db",
        depends_on: {data: {condition: service_healthy}}}
  side: {image: x, network_mode: "service:web"}
  db: {image: x}
  data: {image: x}
)");
  json j = f.json()["services"];
  CHECK(j["web"]["depends_on"] ==
        json{{"data", {{"condition", "service_healthy"}, {"required", true}}},
             {"db", {{"condition", "service_started"}, {"required", true}, {"restart", true}}}});
  CHECK(j["side"]["depends_on"] == json{{"web", {{"condition", "service_started"}, {"required", true}, {"restart", true}}}});
  CHECK_FALSE(j["db"].contains("depends_on"));
}

TEST_CASE("normalize: a build arg without a value takes the environment's, or stays null") {
  Fixture f;
  f.env["B"] = "from-env";
  f.file("services:\n  web:\n    build: {context: ., args: [A=1, B, C]}\n");
  CHECK(f.json()["services"]["web"]["build"]["args"] == json{{"A", "1"}, {"B", "from-env"}, {"C", nullptr}});
}

TEST_CASE("normalize: docker's canonical values: memswap_limit -1, pull_policy missing, empty sysctl") {
  json j = service("services:\n  web:\n    image: x\n    memswap_limit: -1\n    pull_policy: if_not_present\n"
                   "    sysctls: {a: }\n");
  CHECK(j["memswap_limit"] == -1);
  CHECK(j["pull_policy"] == "missing");
  CHECK(j["sysctls"] == json{{"a", ""}});
}

TEST_CASE("normalize: sizes, cpus and legacy limits") {
  json j = service(R"(
services:
  web:
    image: x
    shm_size: 512m
    mem_limit: 1g
    cpus: "0.5"
    pids_limit: 100
    deploy:
      resources:
        limits: {memory: 1gb, cpus: '0.5'}
        reservations: {memory: 100k}
)");
  CHECK(j["shm_size"] == 536870912);
  CHECK(j["mem_limit"] == 1073741824);
  CHECK(j["cpus"] == 0.5);
  CHECK(j["deploy"]["resources"] ==
        json{{"limits", {{"memory", 1073741824}, {"cpus", 0.5}}}, {"reservations", {{"memory", 102400}}}});
}

TEST_CASE("normalize: command and entrypoint strings are split like a shell") {
  json j = service("services:\n  web:\n    image: x\n    command: sh -c 'echo \"a b\"' \"x y\"\n    entrypoint: [\"/bin/a\"]\n");
  CHECK(j["command"] == json{"sh", "-c", "echo \"a b\"", "x y"});
  CHECK(j["entrypoint"] == json{"/bin/a"});
}

TEST_CASE("normalize: networks list to map, the implicit default network and resource names") {
  Fixture f;
  f.file(R"(
name: Demo App
services:
  web: {image: x, networks: [front]}
  worker: {image: x}
  host: {image: x, network_mode: host}
networks:
  front:
  ext: {external: true}
  named: {name: custom}
volumes:
  data:
  old: {external: {name: legacy}}
)");
  json j = f.json();
  CHECK(j["name"] == "demoapp");
  CHECK(j["services"]["web"]["networks"] == json{{"front", nullptr}});
  CHECK(j["services"]["worker"]["networks"] == json{{"default", nullptr}});
  CHECK_FALSE(j["services"]["host"].contains("networks"));
  CHECK(j["networks"] == json{{"default", {{"name", "demoapp_default"}}},
                              {"front", {{"name", "demoapp_front"}}},
                              {"ext", {{"name", "ext"}, {"external", true}}},
                              {"named", {{"name", "custom"}}}});
  CHECK(j["volumes"] == json{{"data", {{"name", "demoapp_data"}}}, {"old", {{"name", "legacy"}, {"external", true}}}});
}

TEST_CASE("normalize: build string to context and Dockerfile") {
  json j = service("services:\n  web:\n    build: ./app\n");
  CHECK(j["build"] == json{{"context", "/proj/app"}, {"dockerfile", "Dockerfile"}});
  json k = service("services:\n  web:\n    build: {context: https://github.com/x/y.git, args: [A=1, B]}\n");
  CHECK(k["build"] == json{{"context", "https://github.com/x/y.git"}, {"dockerfile", "Dockerfile"},
                           {"args", {{"A", "1"}, {"B", nullptr}}}});
}

TEST_CASE("normalize: labels, sysctls, extra_hosts, secrets, tmpfs, expose, scale") {
  json j = service(R"(
services:
  web:
    image: x
    labels: [a=1, b]
    sysctls: {net.core.somaxconn: 1024}
    extra_hosts: ["db:10.0.0.2", "cache=10.0.0.3"]
    secrets: [token]
    tmpfs: /run
    expose: [80, "443"]
    scale: 2
    stop_grace_period: 1m
secrets:
  token: {file: ./token.txt}
)");
  CHECK(j["labels"] == json{{"a", "1"}, {"b", ""}});  // docker compose: a label without value is ""
  CHECK(j["sysctls"] == json{{"net.core.somaxconn", "1024"}});
  CHECK(j["extra_hosts"] == json{"db=10.0.0.2", "cache=10.0.0.3"});
  CHECK(j["secrets"] == json{{{"source", "token"}}});
  CHECK(j["tmpfs"] == json{"/run"});
  CHECK(j["expose"] == json{"80", "443"});
  CHECK(j["deploy"] == json{{"replicas", 2}});
  CHECK(j["stop_grace_period"] == "1m0s");
  CHECK_FALSE(j.contains("scale"));
}

TEST_CASE("normalize: bad values are errors that point at the line") {
  Fixture f;
  f.file(R"(services:
  web:
    image: x
    ports:
      - "80800:80"
      - "80a:80"
    mem_limit: 12zb
    stop_grace_period: soon
)");
  CHECK(f.error() ==
        "compose.yaml:5:9: services.web.ports[0]: port 80800 is out of range\n"
        "compose.yaml:6:9: services.web.ports[1]: invalid port \"80a\"\n"
        "compose.yaml:7:16: services.web.mem_limit: invalid size \"12zb\"\n"
        "compose.yaml:8:24: services.web.stop_grace_period: invalid duration \"soon\"");
}

}  // namespace compose::testing
