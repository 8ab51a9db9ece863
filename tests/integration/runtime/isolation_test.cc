// What the process inside sees: namespaces, filesystem, identity, capabilities, seccomp.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdio>

#include "engine/base/fs.h"
#include "engine/security/capabilities.h"
#include "tests/integration/runtime/runtime_fixture.h"

using test::RuntimeFixture;

TEST_CASE("runtime: pid 1 is the container's process and host processes are invisible") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]'"});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  // sh is pid 1; /proc lists sh, ls and grep at most.
  std::string out = f.log_text(s);
  CHECK(out.rfind("1\n", 0) == 0);
  int count = std::atoi(out.substr(2).c_str());
  CHECK(count >= 1);
  CHECK(count <= 3);
}

TEST_CASE("runtime: hostname, /etc files and /dev are set up") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c",
                   "hostname; cat /etc/hostname /etc/hosts /etc/resolv.conf; ls /dev | tr '\\n' ' '; echo; "
                   "readlink /dev/ptmx; grep -c ' /dev/pts devpts' /proc/mounts; grep ' /dev/shm ' /proc/mounts | "
                   "grep -o 'size=[0-9]*k'"});
  s.hostname = "web1";
  s.hostname_file = "web1\n";
  s.hosts_file = "127.0.0.1\tlocalhost\n";
  s.resolv_conf = "nameserver 127.0.0.11\n";
  s.shm_size = 8 * 1024 * 1024;
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) ==
        "web1\nweb1\n127.0.0.1\tlocalhost\nnameserver 127.0.0.11\n"
        "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n"
        "pts/ptmx\n1\nsize=8192k\n");
  CHECK(f.log_text(s, "stderr") == "");
}

TEST_CASE("runtime: read_only root refuses writes; tmpfs and bind mounts work") {
  RuntimeFixture f;
  test::TempDir vol("berth-vol");
  test::write_text(vol / "data.txt", "from host\n");
  auto s = f.spec({"/bin/sh", "-c",
                   "touch /x 2>/dev/null && echo root-writable; echo t > /scratch/t && cat /scratch/t; "
                   "cat /data/data.txt; touch /data/y 2>/dev/null && echo data-writable; "
                   "echo w > /rw/w && echo rw-ok"});
  s.rootfs.readonly = true;
  s.mounts.push_back({"tmpfs", "", "/scratch", {"size=1m"}});
  s.mounts.push_back({"bind", vol.path(), "/data", {"ro", "rprivate"}});
  test::TempDir rw("berth-vol");
  s.mounts.push_back({"volume", rw.path(), "/rw", {}});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "t\nfrom host\nrw-ok\n");
  CHECK(engine::base::read_file(rw / "w").value_or("") == "w\n");
}

TEST_CASE("runtime: effective capabilities equal Docker's default set; privileged gets all") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "grep CapEff /proc/self/status | cut -f2"});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  auto state = engine::security::make_cap_state(engine::security::default_capabilities());
  REQUIRE(state.ok());
  char want[32];
  std::snprintf(want, sizeof want, "%016llx\n", static_cast<unsigned long long>(state->effective));
  CHECK(f.log_text(s) == want);

  auto s2 = f.spec({"/bin/sh", "-c", "grep CapEff /proc/self/status | cut -f2"});
  s2.process.capabilities = std::vector<std::string>{"CAP_CHOWN", "NET_ADMIN"};
  f.run_to_exit(s2);
  auto two = engine::security::make_cap_state({"CAP_CHOWN", "CAP_NET_ADMIN"});
  std::snprintf(want, sizeof want, "%016llx\n", static_cast<unsigned long long>(two->effective));
  CHECK(f.log_text(s2) == want);
}

TEST_CASE("runtime: seccomp refuses unshare; unconfined allows it with CAP_SYS_ADMIN") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "unshare -n true; echo rc=$?"});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "rc=1\n");
  CHECK(f.log_text(s, "stderr").find("Operation not permitted") != std::string::npos);

  auto s2 = f.spec({"/bin/sh", "-c", "unshare -n true; echo rc=$?"});
  s2.privileged = true;
  f.run_to_exit(s2);
  CHECK(f.log_text(s2) == "rc=0\n");
}

TEST_CASE("runtime: user and groups by name and number, masked and read-only paths") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "id; cat /proc/kcore | wc -c; echo 1 > /proc/sys/kernel/domainname || echo ro"});
  s.process.user = "app";
  s.process.group_add = {"65534"};
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  std::string out = f.log_text(s);
  INFO(out);
  CHECK(out.rfind("uid=1000(app) gid=1000(app) groups=2000(extra),65534(nogroup)\n0\nro\n", 0) == 0);

  auto s2 = f.spec({"/bin/sh", "-c", "id -u; id -g"});
  s2.process.user = "4242:4343";
  f.run_to_exit(s2);
  CHECK(f.log_text(s2) == "4242\n4343\n");
}

TEST_CASE("runtime: init: true reaps as pid 1 and forwards signals") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "trap 'echo term; exit 5' TERM; echo $$; cat /proc/1/comm; while true; do sleep 0.1; done"});
  s.process.init = true;
  f.run(s);
  for (int i = 0; i < 50 && f.log_text(s).find("berth-init") == std::string::npos; ++i) ::usleep(20000);
  auto st = f.rt().stop(s.id, SIGTERM, 10);
  REQUIRE(st.ok());
  CHECK(st->exit_code == 5);
  CHECK(f.log_text(s) == "2\nberth-init\nterm\n");
}

TEST_CASE("runtime: namespaced sysctls are set; a refused hard rlimit raise is reported") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward; ulimit -n"});
  s.sysctls["net.ipv4.ip_forward"] = "1";
  s.process.rlimits.push_back({"nofile", 512, 1024});
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "1\n512\n");

  auto s2 = f.spec({"/bin/true"});
  s2.process.rlimits.push_back({"nofile", 1ull << 40, 1ull << 40});
  auto r = f.rt().create(s2, "");
  REQUIRE_FALSE(r.ok());
  INFO(r.error().str());
  CHECK(r.error().str().find("setrlimit nofile") != std::string::npos);
  CHECK(r.error().str().find("CAP_SYS_RESOURCE") != std::string::npos);
}

TEST_CASE("runtime: joins another container's network and ipc namespaces") {
  RuntimeFixture f;
  auto a = f.spec({"/bin/sh", "-c", "ip link set lo up; sleep 1000"});
  auto st = f.run(a);
  auto b = f.spec({"/bin/sh", "-c", "readlink /proc/self/ns/net /proc/self/ns/ipc"});
  b.namespaces = {{"pid", ""}, {"mount", ""}, {"uts", ""},
                  {"net", "/proc/" + std::to_string(st.pid) + "/ns/net"},
                  {"ipc", "/proc/" + std::to_string(st.pid) + "/ns/ipc"}};
  f.run_to_exit(b);
  engine::runtime::ExecSpec ex;
  ex.args = {"readlink", "/proc/self/ns/net", "/proc/self/ns/ipc"};
  auto r = f.rt().exec(a.id, ex);
  REQUIRE(r.ok());
  CHECK(f.log_text(b) == r->out);
}
