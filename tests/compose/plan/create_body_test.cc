// Container, network and volume create bodies in the Docker Engine API v1.41 shapes.
#include <doctest/doctest.h>

#include "compose/model/codec.h"
#include "compose/plan/create_body.h"
#include "compose/plan/plan_helpers.h"

using compose::plan::container_spec;
using compose::plan::Json;

TEST_CASE("create body: labels, names, network and the compose labels") {
  auto p = test::project(R"(
services:
  web:
    image: busybox
    command: ["httpd", "-f"]
    labels: {tier: front}
)");
  auto spec = container_spec(p, p.services.at("web"), 2);
  REQUIRE(spec.ok());
  CHECK(spec->name == "demo-web-2");
  const Json& b = spec->body;
  CHECK(b["Image"] == "busybox");
  CHECK(b["Cmd"] == Json::array({"httpd", "-f"}));
  CHECK_FALSE(b.contains("Entrypoint"));
  CHECK(b["Labels"]["tier"] == "front");
  CHECK(b["Labels"]["com.docker.compose.project"] == "demo");
  CHECK(b["Labels"]["com.docker.compose.service"] == "web");
  CHECK(b["Labels"]["com.docker.compose.container-number"] == "2");
  CHECK(b["Labels"]["com.docker.compose.oneoff"] == "False");
  CHECK(b["Labels"]["com.docker.compose.project.working_dir"] == "/proj");
  CHECK(b["Labels"]["com.docker.compose.project.config_files"] == "/proj/compose.yaml");
  CHECK(b["Labels"]["com.docker.compose.config-hash"] == compose::model::config_hash(p.services.at("web")));
  CHECK(b["HostConfig"]["NetworkMode"] == "demo_default");
  CHECK(b["HostConfig"]["RestartPolicy"] == Json{{"Name", "no"}});
  CHECK(b["NetworkingConfig"]["EndpointsConfig"]["demo_default"]["Aliases"] == Json::array({"web"}));
  CHECK(spec->extra_networks.empty());
}

TEST_CASE("create body: the service keys map onto Config and HostConfig") {
  auto p = test::project(R"(
services:
  api:
    image: app
    container_name: the-api
    entrypoint: ["/bin/sh", "-c"]
    environment: {A: "1", B: "two"}
    ports: ["127.0.0.1:8080:80", "9000:9000/udp"]
    expose: ["7000"]
    volumes: ["data:/data", "/src:/src:ro", {type: tmpfs, target: /cache, tmpfs: {size: 1000}}]
    tmpfs: ["/run:size=64k"]
    user: "1000:1000"
    working_dir: /app
    hostname: api
    domainname: example.org
    init: true
    read_only: true
    shm_size: 64m
    mem_limit: 128m
    cpus: 0.5
    pids_limit: 50
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    dns: [1.1.1.1]
    extra_hosts: ["db=10.0.0.2"]
    sysctls: {net.core.somaxconn: "1024"}
    ulimits: {nofile: {soft: 1024, hard: 2048}}
    stop_signal: SIGINT
    stop_grace_period: 5s
    restart: on-failure:2
    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 3}
    networks: {front: {aliases: [api2]}, back: {}}
volumes: {data: {}}
networks: {front: {}, back: {}}
)");
  auto spec = container_spec(p, p.services.at("api"), 1);
  REQUIRE(spec.ok());
  const Json& b = spec->body;
  const Json& h = b["HostConfig"];
  CHECK(spec->name == "the-api");
  CHECK(b["Entrypoint"] == Json::array({"/bin/sh", "-c"}));
  CHECK(b["Env"] == Json::array({"A=1", "B=two"}));
  CHECK(b["ExposedPorts"] == Json{{"80/tcp", Json::object()}, {"9000/udp", Json::object()}, {"7000/tcp", Json::object()}});
  CHECK(h["PortBindings"]["80/tcp"] == Json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "8080"}}}));
  CHECK(h["PortBindings"]["9000/udp"] == Json::array({{{"HostIp", ""}, {"HostPort", "9000"}}}));
  CHECK(h["Binds"] == Json::array({"/src:/src:ro"}));
  CHECK(h["Mounts"][0] == Json{{"Type", "volume"}, {"Source", "demo_data"}, {"Target", "/data"}});
  CHECK(h["Mounts"][1]["Type"] == "tmpfs");
  CHECK(h["Mounts"][1]["TmpfsOptions"]["SizeBytes"] == 1000);
  CHECK(h["Tmpfs"] == Json{{"/run", "size=64k"}});
  CHECK(b["User"] == "1000:1000");
  CHECK(b["WorkingDir"] == "/app");
  CHECK(b["Hostname"] == "api");
  CHECK(b["Domainname"] == "example.org");
  CHECK(h["Init"] == true);
  CHECK(h["ReadonlyRootfs"] == true);
  CHECK(h["ShmSize"] == 64 * 1024 * 1024);
  CHECK(h["Memory"] == 128 * 1024 * 1024);
  CHECK(h["NanoCpus"] == 500000000);
  CHECK(h["PidsLimit"] == 50);
  CHECK(h["CapAdd"] == Json::array({"NET_ADMIN"}));
  CHECK(h["CapDrop"] == Json::array({"ALL"}));
  CHECK(h["Dns"] == Json::array({"1.1.1.1"}));
  CHECK(h["ExtraHosts"] == Json::array({"db:10.0.0.2"}));
  CHECK(h["Sysctls"] == Json{{"net.core.somaxconn", "1024"}});
  CHECK(h["Ulimits"] == Json::array({{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}));
  CHECK(b["StopSignal"] == "SIGINT");
  CHECK(b["StopTimeout"] == 5);
  CHECK(h["RestartPolicy"] == Json{{"Name", "on-failure"}, {"MaximumRetryCount", 2}});
  CHECK(b["Healthcheck"] == Json{{"Test", {"CMD", "true"}}, {"Interval", 1000000000}, {"Retries", 3}});
  // Networks: the first by name at create, the rest connected afterwards.
  CHECK(h["NetworkMode"] == "demo_back");
  CHECK(b["NetworkingConfig"]["EndpointsConfig"]["demo_back"]["Aliases"] == Json::array({"api"}));
  REQUIRE(spec->extra_networks.size() == 1);
  CHECK(spec->extra_networks[0].first == "demo_front");
  CHECK(spec->extra_networks[0].second["Aliases"] == Json::array({"api", "api2"}));
}

TEST_CASE("create body: secrets and configs from files are read-only binds") {
  auto p = test::project(R"(
services:
  web:
    image: busybox
    secrets: [token, {source: cert, target: tls.pem}]
    configs: [{source: conf, target: /etc/app.conf}, plain]
secrets:
  token: {file: ./token.txt}
  cert: {file: /etc/cert.pem}
configs:
  conf: {file: ./app.conf}
  plain: {file: ./plain.txt}
)");
  auto spec = container_spec(p, p.services.at("web"), 1);
  REQUIRE(spec.ok());
  CHECK(spec->body["HostConfig"]["Binds"] ==
        Json::array({"/proj/token.txt:/run/secrets/token:ro", "/etc/cert.pem:/run/secrets/tls.pem:ro",
                     "/proj/app.conf:/etc/app.conf:ro", "/proj/plain.txt:/plain:ro"}));
}

TEST_CASE("create body: network_mode and volumes_from name the other service's container") {
  auto p = test::project(R"(
services:
  a: {image: busybox}
  b: {image: busybox, network_mode: "service:a", volumes_from: ["a:ro"]}
)");
  auto spec = container_spec(p, p.services.at("b"), 1);
  REQUIRE(spec.ok());
  CHECK(spec->body["HostConfig"]["NetworkMode"] == "container:demo-a-1");
  CHECK(spec->body["HostConfig"]["VolumesFrom"] == Json::array({"demo-a-1:ro"}));
  CHECK(spec->body["NetworkingConfig"]["EndpointsConfig"] == Json::object());
}

TEST_CASE("create body: keys berth cannot honour are errors naming the service and key") {
  auto p = test::project(R"(
services:
  web:
    image: busybox
    devices: ["/dev/fuse:/dev/fuse"]
    platform: linux/arm64
    secrets: [outside]
    deploy: {placement: {constraints: ["node.role==manager"]}}
secrets:
  outside: {external: true}
)");
  auto spec = container_spec(p, p.services.at("web"), 1);
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.error().message ==
        "service web: deploy.placement is not supported yet\n"
        "service web: devices is not supported yet\n"
        "service web: platform is not supported yet\n"
        "service web: secrets outside: external secrets are not supported yet");
}

TEST_CASE("network and volume bodies carry the project labels") {
  auto p = test::project(R"(
services:
  web: {image: busybox, volumes: ["data:/d"], networks: [back]}
networks:
  back: {internal: true, ipam: {config: [{subnet: 10.9.0.0/24, gateway: 10.9.0.1}]}}
volumes:
  data: {driver_opts: {type: tmpfs, device: tmpfs}}
)");
  Json n = compose::plan::network_body(p, "back", p.networks.at("back"));
  CHECK(n["Name"] == "demo_back");
  CHECK(n["Driver"] == "bridge");
  CHECK(n["Internal"] == true);
  CHECK(n["Labels"]["com.docker.compose.project"] == "demo");
  CHECK(n["Labels"]["com.docker.compose.network"] == "back");
  CHECK(n["IPAM"]["Config"] == Json::array({{{"Subnet", "10.9.0.0/24"}, {"Gateway", "10.9.0.1"}}}));
  Json v = compose::plan::volume_body(p, "data", p.volumes.at("data"));
  CHECK(v["Name"] == "demo_data");
  CHECK(v["Driver"] == "local");
  CHECK(v["DriverOpts"] == Json{{"type", "tmpfs"}, {"device", "tmpfs"}});
  CHECK(v["Labels"]["com.docker.compose.volume"] == "data");
}
