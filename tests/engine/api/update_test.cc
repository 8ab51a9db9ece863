// docker update's pure part: merging an update body into HostConfig.
#include "engine/container/update.h"

#include <doctest/doctest.h>

using engine::container::merge_update;
using engine::container::resources_from_host_config;
using nlohmann::json;

TEST_CASE("merge_update changes only the fields the body sets") {
  json hc = {{"Memory", 64 << 20}, {"CpuShares", 512}, {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}}};
  // The docker CLI sends every field, zeros for the ones not given.
  json body = {{"Memory", 32 << 20}, {"MemorySwap", 0}, {"CpuShares", 0}, {"NanoCpus", 0},
               {"PidsLimit", nullptr}, {"RestartPolicy", {{"Name", ""}, {"MaximumRetryCount", 0}}}};
  auto out = merge_update(hc, body);
  REQUIRE(out.ok());
  CHECK((*out)["Memory"] == 32 << 20);
  CHECK((*out)["CpuShares"] == 512);
  CHECK((*out)["RestartPolicy"]["Name"] == "no");
}

TEST_CASE("merge_update sets cpus, pids and restart policy") {
  json body = {{"NanoCpus", 500000000}, {"PidsLimit", 50}, {"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 3}}}};
  auto out = merge_update(json{{"CpuQuota", 20000}, {"CpuPeriod", 100000}}, body);
  REQUIRE(out.ok());
  CHECK((*out)["NanoCpus"] == 500000000);
  CHECK((*out)["CpuQuota"] == 0);
  CHECK((*out)["PidsLimit"] == 50);
  CHECK((*out)["RestartPolicy"]["MaximumRetryCount"] == 3);
  auto r = resources_from_host_config(*out);
  REQUIRE(r.ok());
  CHECK(r->cpu_quota_us == 50000);
  CHECK(r->cpu_period_us == 100000);
  CHECK(r->pids_limit == 50);
  auto unlimited = merge_update(*out, json{{"PidsLimit", 0}});
  REQUIRE(unlimited.ok());
  CHECK((*unlimited)["PidsLimit"] == -1);
}

TEST_CASE("merge_update refuses bad values with a message") {
  auto small = merge_update(json::object(), json{{"Memory", 1024}});
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().message.find("below the minimum") != std::string::npos);
  CHECK_FALSE(merge_update(json::object(), json{{"Memory", "lots"}}).ok());
  CHECK_FALSE(merge_update(json::object(), json{{"RestartPolicy", {{"Name", "sometimes"}}}}).ok());
  CHECK_FALSE(merge_update(json::object(), json{{"RestartPolicy", {{"Name", "always"}, {"MaximumRetryCount", 2}}}}).ok());
  CHECK_FALSE(merge_update(json::object(), json{{"NanoCpus", 1000000000}, {"CpuQuota", 5000}}).ok());
  CHECK_FALSE(merge_update(json{{"AutoRemove", true}}, json{{"RestartPolicy", {{"Name", "always"}}}}).ok());
  CHECK_FALSE(merge_update(json::object(), json::array()).ok());
}
