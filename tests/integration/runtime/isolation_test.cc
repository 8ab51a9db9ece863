// What the process inside sees: namespaces, filesystem, identity, capabilities, seccomp.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>

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

TEST_CASE("runtime: read_only root refuses writes, tmpfs and bind mounts work") {
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

TEST_CASE("runtime: effective capabilities equal Docker's default set, privileged gets all") {
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

TEST_CASE("runtime: seccomp refuses unshare, unconfined allows it with CAP_SYS_ADMIN") {
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

TEST_CASE("runtime: namespaced sysctls are set, a refused hard rlimit raise is reported") {
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

TEST_CASE("runtime: joins another container's network, ipc and pid namespaces") {
  RuntimeFixture f;
  auto a = f.spec({"/bin/sh", "-c", "ip link set lo up; sleep 1000"});
  auto st = f.run(a);
  auto b = f.spec({"/bin/sh", "-c", "readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/pid"});
  b.namespaces = {{"pid", "/proc/" + std::to_string(st.pid) + "/ns/pid"}, {"mount", ""}, {"uts", ""},
                  {"net", "/proc/" + std::to_string(st.pid) + "/ns/net"},
                  {"ipc", "/proc/" + std::to_string(st.pid) + "/ns/ipc"}};
  f.run_to_exit(b);
  engine::runtime::ExecSpec ex;
  ex.args = {"readlink", "/proc/self/ns/net", "/proc/self/ns/ipc", "/proc/self/ns/pid"};
  auto r = f.rt().exec(a.id, ex);
  REQUIRE(r.ok());
  CHECK(f.log_text(b) == r->out);
}

TEST_CASE("runtime: overlay of image layers keeps writes in the container's upper dir") {
  RuntimeFixture f;
  test::TempDir layer("berth-layer");
  test::write_text(layer / "etc/motd", "from the top layer\n");
  auto s = f.spec({"/bin/sh", "-c", "cat /etc/motd; echo new > /etc/added; rm /etc/motd; ls /etc/motd 2>&1 | wc -l"});
  s.rootfs.path.clear();
  s.rootfs.lowerdirs = {layer.path(), f.rootfs()};
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "from the top layer\n1\n");
  std::string bundle = f.state_root() + "/" + s.id;
  CHECK(engine::base::read_file(bundle + "/upper/etc/added").value_or("") == "new\n");
  CHECK(engine::base::read_file(layer / "etc/motd").value_or("") == "from the top layer\n");
  CHECK_FALSE(engine::base::path_exists(f.rootfs() + "/etc/added"));
  REQUIRE(f.rt().remove(s.id).ok());
  CHECK_FALSE(engine::base::path_exists(bundle));
  CHECK(RuntimeFixture::mounts_under(f.state_root()) == 0);
}

TEST_CASE("runtime: a terminal gets a pty whose size follows resize") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "stty size; [ -t 0 ] && echo tty"});
  s.process.terminal = true;
  REQUIRE(f.rt().create(s, "").ok());
  auto a = f.rt().attach(s.id);
  REQUIRE(a.ok());
  REQUIRE(f.rt().resize(s.id, 30, 100).ok());
  REQUIRE(f.rt().start(s.id).ok());
  auto [out, err] = test::read_frames(a->conn.get());
  CHECK(out == "30 100\r\ntty\r\n");
  CHECK(err == "");
  CHECK(f.log_text(s) == "30 100\r\ntty\r\n");
  CHECK(f.rt().wait(s.id, 10000)->exit_code == 0);
}

TEST_CASE("runtime: user namespace maps container root to an unprivileged host uid") {
  RuntimeFixture f;
  auto s = f.spec({"/bin/sh", "-c", "id -u; cat /proc/self/uid_map | tr -s ' '; echo x > /tmp/w && echo wrote; true"});
  s.namespaces.push_back({"user", ""});
  s.uid_map = {{0, 200000, 65536}};
  s.gid_map = {{0, 200000, 65536}};
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "0\n 0 200000 65536\n");
  CHECK(f.log_text(s, "stderr").find("Permission denied") != std::string::npos);
  // An exec joins the cgroup before the user namespace (inside it, the join would be refused).
  auto live = f.spec({"/bin/sleep", "1000"});
  live.namespaces.push_back({"user", ""});
  live.uid_map = s.uid_map;
  live.gid_map = s.gid_map;
  f.run(live);
  engine::runtime::ExecSpec ex;
  ex.args = {"/bin/sh", "-c", "id -u; cat /proc/self/uid_map | tr -s ' '"};
  auto r = f.rt().exec(live.id, ex);
  REQUIRE_MESSAGE(r.ok(), r.error().str());
  CHECK(r->exit_code == 0);
  CHECK(r->out == "0\n 0 200000 65536\n");
}

TEST_CASE("runtime: mount targets cannot escape the root through an image's symlinks") {
  RuntimeFixture f;
  test::TempDir host("berth-host");  // what a malicious image points at
  test::write_text(host / "hosts", "host file\n");
  test::TempDir layer("berth-layer");
  std::filesystem::create_directories(layer / "etc");
  // Absolute and relative links out of the root both resolve inside it (RESOLVE_IN_ROOT).
  REQUIRE(::symlink((host / "hosts").c_str(), (layer / "etc/hosts").c_str()) == 0);
  REQUIRE(::symlink(("../../../../../../.." + host.path() + "/hostname").c_str(), (layer / "etc/hostname").c_str()) == 0);
  auto s = f.spec({"/bin/sh", "-c", "cat /etc/hosts /etc/hostname"});
  s.rootfs.path.clear();
  s.rootfs.lowerdirs = {layer.path(), f.rootfs()};
  s.hosts_file = "10.0.0.1 inside\n";
  s.hostname_file = "inside\n";
  auto st = f.run_to_exit(s);
  CHECK(st.exit_code == 0);
  CHECK(f.log_text(s) == "10.0.0.1 inside\ninside\n");
  CHECK(engine::base::read_file(host / "hosts").value_or("") == "host file\n");
  CHECK_FALSE(engine::base::path_exists(host / "hostname"));
  CHECK(RuntimeFixture::mounts_under(host.path()) == 0);

  // A link that stays inside the root is followed there.
  test::TempDir ok_layer("berth-layer");
  std::filesystem::create_directories(ok_layer / "etc");
  std::filesystem::create_directories(ok_layer / "data");
  REQUIRE(::symlink("/data/hosts", (ok_layer / "etc/hosts").c_str()) == 0);
  auto s2 = f.spec({"/bin/sh", "-c", "cat /etc/hosts /data/hosts"});
  s2.rootfs.path.clear();
  s2.rootfs.lowerdirs = {ok_layer.path(), f.rootfs()};
  s2.hosts_file = "10.0.0.2 inside\n";
  CHECK(f.run_to_exit(s2).exit_code == 0);
  CHECK(f.log_text(s2) == "10.0.0.2 inside\n10.0.0.2 inside\n");
}
