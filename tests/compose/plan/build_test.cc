// build: services: the /build request, which services `up` builds, and the orchestrator's
// build / push verbs against a FakeEngine.
#include <doctest/doctest.h>

#include <algorithm>

#include "compose/plan/build.h"
#include "compose/plan/create_body.h"
#include "compose/plan/fake_engine.h"
#include "compose/plan/orchestrator.h"
#include "compose/plan/plan_helpers.h"

using namespace compose::plan;

namespace {

const char* kBuildStack = R"(
services:
  app:
    build:
      context: ./app
      dockerfile: Dockerfile.dev
      args: {VERSION: "1.2", FROM_ENV: null}
      target: runtime
      labels: {team: core}
      tags: ["registry.local/app:1"]
      no_cache: true
  named:
    image: registry.local/named:2
    build: ./named
  plain: {image: busybox}
)";

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}


}  // namespace

TEST_CASE("build: the request carries the service image first, then tags, args, target, labels, no_cache") {
  auto p = test::project(kBuildStack);
  BuildFlags f;
  f.build_args = {"EXTRA=x", "FROM_SHELL", "UNSET"};
  auto r = build_request(p, p.services.at("app"), f, env_of({{"FROM_ENV", "e"}, {"FROM_SHELL", "s"}}));
  REQUIRE_MESSAGE(r.ok(), r.error().str());
  CHECK(r->context == "/proj/app");
  CHECK(r->dockerfile == "Dockerfile.dev");
  CHECK(r->tags == std::vector<std::string>{"demo-app", "registry.local/app:1"});
  CHECK(r->args == std::map<std::string, std::string>{{"EXTRA", "x"}, {"FROM_ENV", "e"}, {"FROM_SHELL", "s"},
                                                      {"VERSION", "1.2"}});
  CHECK(r->target == "runtime");
  CHECK(r->labels == std::map<std::string, std::string>{{"team", "core"}});
  CHECK(r->no_cache);
  CHECK_FALSE(r->pull);

  auto named = build_request(p, p.services.at("named"), BuildFlags{}, nullptr);
  REQUIRE(named.ok());
  CHECK(named->tags == std::vector<std::string>{"registry.local/named:2"});
  CHECK(named->dockerfile == "Dockerfile");
  CHECK(build_request(p, p.services.at("plain"), BuildFlags{}, nullptr).error().message ==
        "service plain has no build section");
}

TEST_CASE("build: an unsupported build key is an error naming it, the supported ones are not") {
  auto p = test::project(R"(
services:
  app:
    build: {context: ., tags: [x], labels: {a: b}, pull: true, no_cache: true, ssh: [default]}
)");
  CHECK(unsupported_keys(p, p.services.at("app")) ==
        std::vector<std::string>{"service app: build.ssh is not supported yet"});
}

TEST_CASE("build: up builds a missing build: image, --build always, --no-build never") {
  auto p = test::project(kBuildStack);
  const compose::model::Service& app = p.services.at("app");
  CHECK(needs_build(app, false, false, false));
  CHECK_FALSE(needs_build(app, true, false, false));
  CHECK(needs_build(app, true, true, false));
  CHECK_FALSE(needs_build(app, false, false, true));
  CHECK_FALSE(needs_build(p.services.at("plain"), false, true, false));
  compose::model::Service always = app;
  always.pull_policy = "build";
  CHECK(needs_build(always, true, false, false));
}

TEST_CASE("build: up builds (not pulls) a missing image, and a second up with the image present does not") {
  auto p = test::project(kBuildStack);
  test::FakeEngine e;
  e.images = {{"busybox", "sha256:bb"}};
  std::vector<std::string> out;
  RunOptions ro = test::fast_run_options();
  ro.image_output = [&](const std::string& svc, std::string_view t) { out.push_back(svc + ": " + std::string(t)); };
  Orchestrator o(e, nullptr, ro);
  auto st = o.up(p, UpOptions{});
  REQUIRE_MESSAGE(st.ok(), st.error().str());
  CHECK(e.calls_with("build ") ==
        std::vector<std::string>{"build demo-app no-cache", "build registry.local/named:2"});
  CHECK(e.calls_with("pull ").empty());
  CHECK(e.containers_by_name().at("demo-app-1").state == "running");
  CHECK(out.front() == "app: Step 1/1 : FROM scratch\n");

  e.clear_calls();
  REQUIRE(o.up(p, UpOptions{}).ok());
  CHECK(e.calls_with("build ").empty());
  CHECK(e.calls_with("create ").empty());

  // --build rebuilds; the new image id recreates the service's containers.
  e.clear_calls();
  UpOptions rebuild;
  rebuild.build = true;
  REQUIRE(o.up(p, rebuild).ok());
  CHECK(e.calls_with("build ").size() == 2);
  // Independent services are created concurrently: compare the set, not the order.
  auto created = e.calls_with("create ");
  std::sort(created.begin(), created.end());
  CHECK(created == std::vector<std::string>{"create demo-app-1", "create demo-named-1"});
}

TEST_CASE("build: --no-build with a build-only image missing is an error naming the service") {
  auto p = test::project(kBuildStack);
  test::FakeEngine e;
  Orchestrator o(e, nullptr, test::fast_run_options());
  UpOptions no_build;
  no_build.no_build = true;
  auto st = o.up(p, no_build);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "service app: image demo-app is not present and --no-build was given");
}

TEST_CASE("build: compose build builds every build: service in name order, push only those with image:") {
  auto p = test::project(kBuildStack);
  test::FakeEngine e;
  Orchestrator o(e, nullptr, test::fast_run_options());
  BuildFlags f;
  f.no_cache = true;
  REQUIRE(o.build(p, {}, f).ok());
  CHECK(e.calls_with("build ") == std::vector<std::string>{"build demo-app no-cache", "build registry.local/named:2 no-cache"});
  CHECK(o.build(p, {"nope"}, f).error().message == "no such service: nope");
  REQUIRE(o.push(p, {}, false).ok());
  CHECK(e.calls_with("push ") == std::vector<std::string>{"push registry.local/named:2"});
}
