#include "compose/model/codec.h"

#include <doctest/doctest.h>

#include "compose/helpers.h"

namespace compose::model {

using nlohmann::json;

namespace {

const char* kFull = R"(
name: demo
x-top: {a: 1}
services:
  web:
    image: nginx:1.25
    build: {context: ./app, args: {A: "1"}, target: prod, cache_from: [x]}
    command: ["run", "--fast"]
    entrypoint: /entry.sh
    environment: {A: "1", B: null}
    ports: ["8080:80", "127.0.0.1:53:53/udp"]
    expose: [9000]
    volumes: ["./data:/data:ro", "cache:/cache", {type: tmpfs, target: /tmp, tmpfs: {size: 1m}}]
    tmpfs: [/run]
    networks: {front: {aliases: [w], ipv4_address: 10.0.0.5}, back: null}
    depends_on: {db: {condition: service_healthy, restart: true}}
    healthcheck: {test: "curl -f localhost", interval: 10s, timeout: 2s, retries: 5, start_period: 1m}
    restart: unless-stopped
    deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 256m, pids: 50}}, labels: {z: "1"}}
    labels: {l: v}
    hostname: web
    domainname: example.org
    user: "1000:1000"
    working_dir: /srv
    init: true
    read_only: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    privileged: false
    security_opt: ["no-new-privileges:true"]
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    sysctls: {net.core.somaxconn: 1024}
    shm_size: 64m
    extra_hosts: ["db:10.0.0.2"]
    dns: [1.1.1.1]
    dns_search: [example.org]
    stop_signal: SIGINT
    stop_grace_period: 30s
    secrets: [token]
    configs: [{source: conf, target: /etc/conf, mode: 0440}]
    pid: host
    ipc: shareable
    profiles: [web]
    pull_policy: always
    mem_limit: 256m
    pids_limit: 50
    logging: {driver: json-file, options: {max-size: 10m}}
    tty: true
    stdin_open: true
    links: [db]
    cgroup_parent: custom
    x-note: hello
  db:
    image: postgres
  side:
    image: busybox
    volumes_from: ["web:ro"]
    network_mode: "service:web"
networks: {front: {}, back: {driver: bridge}}
volumes: {cache: {}}
secrets: {token: {file: ./token}}
configs: {conf: {content: "x"}}
)";

json canonical() {
  testing::Fixture f;
  f.opts.profiles = {"web"};
  f.file(kFull);
  return f.json();
}

}  // namespace

TEST_CASE("codec: canonical JSON -> model -> JSON is the identity") {
  json j = canonical();
  auto p = project_from_json(j);
  REQUIRE(p.ok());
  CHECK(project_to_json(*p) == j);
}

TEST_CASE("codec: typed fields are bound") {
  auto p = project_from_json(canonical());
  REQUIRE(p.ok());
  const Service& web = p->services.at("web");
  CHECK(web.image == "nginx:1.25");
  CHECK(web.build->context == "/proj/app");
  CHECK(web.build->other == json{{"cache_from", {"x"}}});
  CHECK(*web.entrypoint == std::vector<std::string>{"/entry.sh"});
  CHECK(web.environment.at("B") == std::nullopt);
  REQUIRE(web.ports.size() == 2);
  CHECK(web.ports[1].host_ip == "127.0.0.1");
  CHECK(web.ports[1].protocol == "udp");
  CHECK(web.volumes[0].read_only);
  CHECK(web.volumes[0].source == "/proj/data");
  CHECK(web.networks.at("front")->ipv4_address == "10.0.0.5");
  CHECK_FALSE(web.networks.at("back").has_value());
  CHECK(web.depends_on.at("db").condition == "service_healthy");
  CHECK(web.depends_on.at("db").restart);
  CHECK(web.healthcheck->test == std::vector<std::string>{"CMD-SHELL", "curl -f localhost"});
  CHECK(web.healthcheck->interval_ns == 10'000'000'000LL);
  CHECK(web.deploy->replicas == 2);
  CHECK(web.deploy->limits.memory == 268435456);
  CHECK(web.deploy->limits.cpus == 0.5);
  CHECK(web.ulimits.at("nproc").hard == 512);
  CHECK(web.stop_grace_period_ns == 30'000'000'000LL);
  CHECK(web.configs[0].mode == 0440);
  CHECK(web.logging->options.at("max-size") == "10m");
  CHECK(web.extensions == json{{"x-note", "hello"}});
  CHECK(web.other == json{{"cgroup_parent", "custom"}});
  CHECK(p->services.at("side").network_mode == "service:web");
  CHECK(p->secrets.at("token").file == "/proj/token");
  CHECK(p->networks.at("back").driver == "bridge");
  CHECK(p->extensions == json{{"x-top", {{"a", 1}}}});
}

TEST_CASE("codec: config hash ignores replicas but not the image") {
  auto p = project_from_json(canonical());
  REQUIRE(p.ok());
  Service web = p->services.at("web");
  std::string h = config_hash(web);
  CHECK(h.size() == 64);
  web.deploy->replicas = 7;
  CHECK(config_hash(web) == h);
  web.image = "nginx:1.26";
  CHECK(config_hash(web) != h);
}

TEST_CASE("codec: config hash of a service whose deploy key is empty (found by the fuzzer)") {
  json j = {{"name", "p"}, {"services", {{"web", {{"image", "x"}, {"deploy", nullptr}}}}}};
  auto p = project_from_json(j);
  REQUIRE(p.ok());
  std::string h = config_hash(p->services.at("web"));
  CHECK(h.size() == 64);
  json plain = {{"name", "p"}, {"services", {{"web", {{"image", "x"}}}}}};
  CHECK(config_hash(project_from_json(plain)->services.at("web")) == h);
}

}  // namespace compose::model
