#include "engine/runtime/spec.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "engine/runtime/status_file.h"

using engine::runtime::ContainerSpec;

namespace {
ContainerSpec full_spec() {
  ContainerSpec s;
  s.id = "abc";
  s.rootfs.lowerdirs = {"/l2", "/l1"};
  s.rootfs.readonly = true;
  s.process.args = {"sh", "-c", "echo hi"};
  s.process.env = {"A=1"};
  s.process.cwd = "/srv";
  s.process.user = "app:extra";
  s.process.group_add = {"audio"};
  s.process.terminal = true;
  s.process.init = true;
  s.process.rlimits = {{"nofile", 1024, 2048}};
  s.process.no_new_privileges = true;
  s.process.capabilities = std::vector<std::string>{"CAP_CHOWN"};
  s.process.seccomp = "unconfined";
  s.process.oom_score_adj = 500;
  s.hostname = "web";
  s.mounts = {{"tmpfs", "", "/run", {"size=1m"}}, {"bind", "/data", "/data", {"ro", "rprivate"}}};
  s.namespaces = {{"pid", ""}, {"net", "/run/berth/netns/abc"}};
  s.uid_map = {{0, 100000, 65536}};
  s.hosts_file = "127.0.0.1 localhost\n";
  s.cgroup.rel_path = "berth/abc";
  s.cgroup.resources.memory_limit = 1 << 26;
  s.cgroup.resources.cpuset_cpus = "0-1";
  s.cgroup.resources.pids_limit = 100;
  s.sysctls = {{"net.ipv4.ip_forward", "1"}};
  s.masked_paths = std::vector<std::string>{"/proc/kcore"};
  s.shm_size = 1 << 20;
  s.stop_signal = 3;
  s.stop_timeout = 1;
  s.log = {"/var/log/c.log", 1000, 3};
  return s;
}
}  // namespace

TEST_CASE("runtime: ContainerSpec survives a JSON round trip") {
  ContainerSpec s = full_spec();
  std::string text = engine::runtime::spec_to_string(s);
  auto back = engine::runtime::spec_from_string(text);
  REQUIRE(back.ok());
  CHECK(engine::runtime::spec_to_string(*back) == text);
  CHECK(back->process.capabilities->at(0) == "CAP_CHOWN");
  CHECK(*back->process.oom_score_adj == 500);
  CHECK(back->cgroup.resources.cpuset_cpus == "0-1");
  CHECK_FALSE(back->readonly_paths.has_value());
  CHECK(*back->hosts_file == "127.0.0.1 localhost\n");
}

TEST_CASE("runtime: a minimal spec gets defaults") {
  auto s = engine::runtime::spec_from_string(R"({"id":"x","rootfs":{"path":"/r"},"process":{"args":["true"]}})");
  REQUIRE(s.ok());
  CHECK(s->process.cwd == "/");
  CHECK(s->process.seccomp == "default");
  CHECK_FALSE(s->process.capabilities.has_value());
  CHECK(s->stop_signal == 15);
  CHECK(s->stop_timeout == 10);
  CHECK(s->shm_size == 64 * 1024 * 1024);
  CHECK(engine::runtime::validate_spec(*s).ok());
  CHECK_FALSE(engine::runtime::spec_from_string("{not json").ok());
}

TEST_CASE("runtime: validate_spec names the bad field") {
  ContainerSpec s = full_spec();
  s.process.args.clear();
  CHECK(engine::runtime::validate_spec(s).error().message == "container spec: process.args is empty");
  s = full_spec();
  s.mounts[1].target = "data";
  CHECK(engine::runtime::validate_spec(s).error().message ==
        "container spec: mounts[1]: target \"data\" is not absolute");
  s = full_spec();
  s.namespaces[0].type = "time";
  CHECK(engine::runtime::validate_spec(s).error().message == "container spec: namespaces[0]: unknown type \"time\"");
  s = full_spec();
  s.process.rlimits = {{"nofile", 10, 5}};
  CHECK(engine::runtime::validate_spec(s).error().message ==
        "container spec: rlimit nofile: soft limit exceeds hard limit");
  s = full_spec();
  s.id = "a/b";
  CHECK_FALSE(engine::runtime::validate_spec(s).ok());
}

TEST_CASE("runtime: Docker's default masked and read-only paths") {
  const auto& masked = engine::runtime::default_masked_paths();
  for (const char* p : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"})
    CHECK(std::find(masked.begin(), masked.end(), p) != masked.end());
  CHECK(engine::runtime::default_readonly_paths() ==
        std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
}

TEST_CASE("runtime: status file format round trip") {
  engine::runtime::ShimStatus s;
  s.status = "stopped";
  s.pid = 42;
  s.shim_pid = 41;
  s.exit_code = 137;
  s.oom_killed = true;
  s.started_at_ns = 1;
  s.finished_at_ns = 2;
  s.error = "line one\nline two";
  std::string text = engine::runtime::format_status(s);
  CHECK(text ==
        "status=stopped\npid=42\nshim_pid=41\nexit_code=137\noom_killed=1\nstarted_at_ns=1\nfinished_at_ns=2\n"
        "error=line one line two\n");
  auto back = engine::runtime::parse_status(text);
  REQUIRE(back.ok());
  CHECK(back->exit_code == 137);
  CHECK(back->oom_killed);
  CHECK(back->error == "line one line two");
  CHECK_FALSE(engine::runtime::parse_status("status=weird\n").ok());
}
