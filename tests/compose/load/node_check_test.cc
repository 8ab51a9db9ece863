// The schema check on the Node tree (compose/load/node_check.h) must say yes exactly when
// the JSON path (schema::validate_compose / unknown_compose_keys over to_json) finds nothing:
// on every awesome-compose file, the examples, and randomly damaged variants of valid projects.
#include <dirent.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "compose/load/loader.h"
#include "compose/load/node_check.h"
#include "schema/validator.h"

namespace compose::testing {
namespace {

const std::string kSource = BERTH_SOURCE_DIR;

/// A project using most of the schema: long and short syntaxes, enums, patterns, limits.
const char* const kRich = R"(
name: rich
x-base: &base
  restart: unless-stopped
  labels: {tier: back}
services:
  web:
    <<: *base
    image: nginx:1.25
    build: {context: ., dockerfile: Dockerfile, args: [A=1], target: prod}
    command: ["serve", "--port", "80"]
    entrypoint: /bin/sh
    environment: {A: "1", B: 2, C: true, D: null, E: 1.5}
    env_file: [.env]
    ports: ["8080:80", {target: 443, published: "8443", protocol: tcp, mode: host}]
    expose: [80, "81"]
    volumes:
      - ./data:/data:ro
      - {type: volume, source: shared, target: /shared, read_only: true, volume: {nocopy: true}}
      - {type: bind, source: ., target: /src, bind: {propagation: rprivate, selinux: z}}
    networks: {front: {aliases: [www], ipv4_address: 10.5.0.5}, back: null}
    depends_on: {db: {condition: service_healthy, restart: true}}
    healthcheck: {test: ["CMD", "true"], interval: 30s, timeout: 5s, retries: 3, start_period: 1s}
    deploy:
      replicas: 2
      resources: {limits: {cpus: "0.5", memory: 256M, pids: 100}, reservations: {memory: 64M}}
      restart_policy: {condition: on-failure, max_attempts: 3}
      update_config: {order: start-first, parallelism: 1}
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    logging: {driver: json-file, options: {max-size: 10m}}
    sysctls: [net.core.somaxconn=1024]
    cap_add: [NET_ADMIN]
    dns: [1.1.1.1]
    extra_hosts: ["h:1.2.3.4"]
    oom_score_adj: 100
    pull_policy: missing
    init: true
    tmpfs: /run
    stop_grace_period: 10s
    user: "1000"
    working_dir: /src
    x-note: anything
    secrets: [token, {source: cert, target: /c, mode: 0440}]
    configs: [conf]
  db:
    image: postgres:16
    cgroup: private
    healthcheck: {test: "pg_isready", disable: false}
    profiles: [data]
    stdin_open: true
    tty: false
    cpus: 1.5
    mem_limit: 1g
    shm_size: 64m
networks:
  front: {driver: bridge, ipam: {config: [{subnet: 10.5.0.0/24}]}}
  back: {internal: true}
volumes:
  shared: {labels: [a=b]}
secrets:
  token: {file: ./token.txt}
  cert: {environment: CERT}
configs:
  conf: {content: "x=1"}
x-extra: {any: thing}
)";

/// The JSON path's verdict and the Node path's must agree, for the whole check and keys only.
void same_verdict(const load::Node& tree, int* yes = nullptr, int* no = nullptr) {
  nlohmann::json doc = load::to_json(tree);
  bool json_ok = schema::validate_compose(doc).empty();
  CHECK(load::schema_accepts(tree, false) == json_ok);
  CHECK(load::schema_accepts(tree, true) == schema::unknown_compose_keys(doc).empty());
  // Split in two parts (as the loader does for big projects): both yes exactly when the whole is.
  const load::Node* services = tree.find("services");
  if (services && services->is_map() && services->entries.size() >= 2 && schema::services_judged_alone()) {
    const load::Entry* entry = nullptr;
    for (const load::Entry& e : tree.entries)
      if (&e.value == services) entry = &e;
    size_t half = services->entries.size() / 2;
    load::ProjectPart first{&tree, entry, 0, half, true}, second{&tree, entry, half, services->entries.size(), false};
    CHECK((load::schema_accepts(first, false) && load::schema_accepts(second, false)) == json_ok);
  }
  if (yes && no) ++*(json_ok ? yes : no);
}

/// The tree the loader validates (interpolated, merged, not normalized).
load::Node tree_of(const std::string& dir, const std::vector<std::string>& files = {}) {
  load::DiskFileSystem fs;
  load::LoadOptions opts;
  opts.working_dir = dir;
  opts.files = files;
  opts.no_validate = true;
  opts.no_normalize = true;
  auto tree = load::load_tree(opts, load::Environment::from_map({{"HOME", "/home/tester"}}), fs);
  REQUIRE_MESSAGE(tree.ok(), dir);
  return std::move(tree->root);
}

std::vector<std::string> dirs_in(const std::string& root) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(root.c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.' && e->d_type == DT_DIR) out.push_back(root + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool has_compose_file(const std::string& dir) {
  for (const char* f : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"})
    if (load::DiskFileSystem().is_file(dir + "/" + f)) return true;
  return false;
}

void collect(load::Node& n, std::vector<load::Node*>& out) {
  out.push_back(&n);
  for (load::Node& i : n.items) collect(i, out);
  for (load::Entry& e : n.entries) collect(e.value, out);
}

/// One random damage: a wrong type, an unknown or x- key, a bad enum or pattern value, an
/// out-of-range or odd number, a null.
void damage(load::Node& tree, std::mt19937& rng) {
  std::vector<load::Node*> nodes;
  collect(tree, nodes);
  // Never the project itself: it stays a mapping.
  load::Node& n = *nodes[1 + rng() % (nodes.size() - 1)];
  static const char* const kPlain[] = {"abc", "12", "-1", "1.5", "true", "False", "~", "null", "", "0x1F", "0o17",
                                       "017", "+12", ".5", ".inf", "-.INF", ".nan", "1e400", "99999999999999999999",
                                       "1e3", "2000", "-2000", "sometimes", "on-failure:3", "host", "Z", "1_000"};
  switch (rng() % 8) {
    case 0:
    case 1:
      n = load::Node::plain(kPlain[rng() % std::size(kPlain)]);
      break;
    case 2:
      n = load::Node::str(kPlain[rng() % std::size(kPlain)]);
      break;
    case 3:
      n = rng() % 2 ? load::Node::null() : (rng() % 2 ? load::Node::map() : load::Node::seq());
      break;
    case 4:
    case 5: {
      // A key on a mapping: unknown, x-, or a known one with an odd value.
      std::vector<load::Node*> maps;
      for (load::Node* m : nodes)
        if (m->is_map()) maps.push_back(m);
      static const char* const kKeys[] = {"bogus", "x-extra2", "image", "restart", "pull_policy", "cgroup",
                                          "oom_score_adj", "ports", "mode", "condition"};
      load::Node* m = maps[rng() % maps.size()];  // the project is one
      m->set(kKeys[rng() % std::size(kKeys)], load::Node::plain(kPlain[rng() % std::size(kPlain)]));
      break;
    }
    case 6:
      if (n.is_seq() && !n.items.empty()) n.items.push_back(n.items.front());  // duplicates (uniqueItems)
      else n = load::Node::plain("1000");
      break;
    default:
      if (n.is_map() && !n.entries.empty())
        n.entries.erase(n.entries.begin() + static_cast<long>(rng() % n.entries.size()));
      else
        n = load::Node::seq();
      break;
  }
}

}  // namespace

TEST_CASE("node check: the corpus and the examples get the JSON check's verdict") {
  int projects = 0;
  for (const std::string& root : {kSource + "/../shared/corpus/awesome-compose", kSource + "/examples"})
    for (const std::string& dir : dirs_in(root)) {
      if (!has_compose_file(dir)) continue;
      CAPTURE(dir);
      same_verdict(tree_of(dir));
      ++projects;
    }
  CHECK(projects >= 3);
}

TEST_CASE("node check: damaged projects get the JSON check's verdict") {
  load::MemoryFileSystem fs;
  fs.add("/proj/compose.yaml", kRich);
  load::LoadOptions opts;
  opts.working_dir = "/proj";
  opts.no_validate = opts.no_normalize = true;
  auto rich = load::load_tree(opts, load::Environment::from_map({{"HOME", "/home/u"}}), fs);
  REQUIRE(rich.ok());
  std::vector<load::Node> bases{rich->root};
  for (const std::string& dir : dirs_in(kSource + "/../shared/corpus/awesome-compose"))
    if (has_compose_file(dir) && bases.size() < 8) bases.push_back(tree_of(dir));
  int yes = 0, no = 0;
  same_verdict(rich->root, &yes, &no);
  REQUIRE(yes == 1);  // the rich project itself is valid
  std::mt19937 rng(20261128);
  for (int i = 0; i < 400; ++i) {
    load::Node tree = i % 2 ? bases[0] : bases[rng() % bases.size()];
    for (int k = 1 + static_cast<int>(rng() % 2); k > 0; --k) damage(tree, rng);
    CAPTURE(i);
    same_verdict(tree, &yes, &no);
  }
  // Both verdicts are well represented.
  CHECK(yes > 40);
  CHECK(no > 100);
  MESSAGE("valid " << yes << ", invalid " << no);
}

}  // namespace compose::testing
