#include "compose/load/validate.h"

#include <doctest/doctest.h>

#include "compose/helpers.h"

namespace compose::testing {

TEST_CASE("validate: references to undefined services, networks, volumes, secrets and configs") {
  Fixture f;
  f.file(R"(services:
  web:
    image: x
    depends_on: [ghost]
    networks: [nowhere]
    volumes: ["data:/data"]
    secrets: [s]
    configs: [c]
    volumes_from: [other]
    links: ["gone:alias"]
  side:
    image: x
    network_mode: "service:missing"
)");
  CHECK(f.error() ==
        "compose.yaml:4:18: services.web.depends_on: depends on undefined service \"ghost\"\n"
        "compose.yaml:5:16: services.web.networks.nowhere: undefined network \"nowhere\"\n"
        "compose.yaml:6:15: services.web.volumes[0]: undefined volume \"data\"\n"
        "compose.yaml:7:15: services.web.secrets[0]: undefined secret \"s\"\n"
        "compose.yaml:8:15: services.web.configs[0]: undefined config \"c\"\n"
        "compose.yaml:9:20: services.web.volumes_from[0]: undefined service \"other\"\n"
        "compose.yaml:10:13: services.web.links[0]: undefined service \"gone\"\n"
        "compose.yaml:13:19: services.side.network_mode: undefined service \"missing\"");
}

TEST_CASE("validate: a service needs an image or a build") {
  Fixture f;
  f.file("services:\n  web:\n    restart: always\n");
  CHECK(f.error() == "compose.yaml:2:3: services.web: service has neither an image nor a build context specified");
}

TEST_CASE("validate: an empty service has no image either") {
  Fixture f;
  f.file("services:\n  web:\n");
  CHECK(f.error() == "compose.yaml:2:3: services.web: service has neither an image nor a build context specified");
}

TEST_CASE("validate: container_name with more than one replica") {
  Fixture f;
  f.file("services:\n  web:\n    image: x\n    container_name: one\n    deploy: {replicas: 3}\n");
  CHECK(f.error() == "compose.yaml:4:21: services.web.container_name: container_name \"one\" cannot be used with 3 replicas");
}

TEST_CASE("validate: a depends_on cycle prints the cycle") {
  Fixture f;
  f.file("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n");
  CHECK(f.error() == "compose.yaml:2:29: services.a: dependency cycle: a -> b -> c -> a");
}

TEST_CASE("validate: an optional dependency on a missing service is fine") {
  Fixture f;
  f.file("services:\n  a: {image: x, depends_on: {b: {condition: service_started, required: false}}}\n");
  CHECK(f.load().ok());
}

TEST_CASE("validate: a dependency switched off by profiles says which profiles enable it") {
  Fixture f;
  f.file("services:\n  web: {image: x, depends_on: [db]}\n  db: {image: x, profiles: [debug, dev]}\n");
  CHECK(f.error() == "compose.yaml:2:32: services.web.depends_on: service \"db\" is required by \"web\" but is "
                     "disabled. Can be enabled by profiles [debug dev]");
  f.opts.profiles = {"dev"};
  CHECK(f.load().ok());
}

TEST_CASE("validate: names of services, volumes, secrets and configs") {
  Fixture f;
  f.file("services:\n  \"a b\": {image: x}\n  ok_1.-: {image: x}\nvolumes:\n  \"v/1\": {}\nnetworks:\n  \"any name\": {}\n");
  CHECK(f.error() ==
        "compose.yaml:2:3: services: invalid service name \"a b\": only letters, digits, '.', '_' and '-' are allowed\n"
        "compose.yaml:5:3: volumes: invalid volume name \"v/1\": only letters, digits, '.', '_' and '-' are allowed");
}

}  // namespace compose::testing
