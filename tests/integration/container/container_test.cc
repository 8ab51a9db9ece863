// Containers through berthd and the berth CLI: run, exit codes, streams, ps/logs/exec,
// published ports, DNS on user networks, restart policies, OOM, live restore, cleanup.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "tests/integration/daemon_fixture.h"

using test::DaemonFixture;
using test::inspect;
using test::trimmed;

namespace {

bool wait_for(const std::function<bool()>& cond, int ms = 10000) {
  for (int i = 0; i < ms / 20; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace

TEST_CASE("container: run prints stdout and stderr apart, returns the exit code, --rm removes it") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK(trimmed(d.berth({"ps", "-aq"}).out).empty());
}

TEST_CASE("container: an attached run never loses output written at once (attach counted before its 101)") {
  DaemonFixture d;
  d.import_busybox();
  // The client starts the container as soon as the attach's 101 arrives; output written right
  // away is lost unless the attach was registered before that answer.
  for (int i = 0; i < 15; ++i) {
    auto r = d.berth({"run", "--rm", "busybox", "echo", "hi"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "hi\n");
  }
}

TEST_CASE("container: run -i passes piped stdin and its end reaches the container") {
  DaemonFixture d;
  d.import_busybox();
  // cat ends only when its stdin does: the client's EOF must close the container's stdin.
  auto r = d.berth({"run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done"}, 30, "line one\nline two\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "line one\nline two\ndone\n");
  d.berth({"run", "-d", "--name", "sleeper", "busybox", "sleep", "300"});
  auto x = d.berth({"exec", "-i", "sleeper", "sh", "-c", "wc -l"}, 30, "a\nb\nc\n");
  CHECK(x.exit_code == 0);
  CHECK(trimmed(x.out) == "3");
  d.berth({"rm", "-f", "sleeper"});
}

TEST_CASE("container: a missing command fails with 127 and names the executable") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "--rm", "busybox", "no-such-cmd"});
  CHECK(r.exit_code == 127);
  CHECK(r.err.find("exec: \"no-such-cmd\": executable file not found") != std::string::npos);
  auto missing_image = d.berth({"run", "--rm", "--pull", "never", "nosuchimage:1", "true"});
  CHECK(missing_image.exit_code == 125);
  CHECK(missing_image.err.find("No such image: nosuchimage:1") != std::string::npos);
}

TEST_CASE("container: the management verbs - container run, ls, exec, rm and prune") {
  DaemonFixture d;
  d.import_busybox();
  // The container's own arguments (-c, -n) stay the container's, as with plain run/exec.
  auto done = d.berth({"container", "run", "--name", "done1", "busybox", "sh", "-c", "echo hi; exit 2"});
  CHECK(done.exit_code == 2);
  CHECK(done.out == "hi\n");
  std::string done_id = inspect(d, "done1")["Id"];
  REQUIRE(d.berth({"container", "run", "-d", "--name", "live", "busybox", "sleep", "30"}).exit_code == 0);
  CHECK(d.berth({"container", "ls", "-a", "--format", "{{.Names}}"}).out == "live\ndone1\n");
  CHECK(d.berth({"container", "list", "--format", "{{.Names}}"}).out == "live\n");
  CHECK(d.berth({"container", "exec", "live", "echo", "-n", "x"}).out == "x");
  auto pruned = d.berth({"container", "prune", "-f"});
  CHECK(pruned.exit_code == 0);
  CHECK(pruned.out.find("Deleted Containers:\n" + done_id + "\n") != std::string::npos);
  CHECK(d.berth({"container", "ls", "-aq"}).out == d.berth({"ps", "-q"}).out);
  CHECK(d.berth({"container", "rm", "-f", "live"}).exit_code == 0);
  CHECK(trimmed(d.berth({"ps", "-aq"}).out).empty());
}

TEST_CASE("container: detached lifecycle with ps, logs, exec, stop and rm leaves nothing behind") {
  DaemonFixture d;
  d.import_busybox();
  auto run = d.berth({"run", "-d", "--name", "worker", "--hostname", "wk", "busybox", "sh", "-c",
                      "echo started; trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string id = trimmed(run.out);
  REQUIRE(id.size() == 64);
  auto ps = d.berth({"ps"});
  CHECK(ps.out.find("worker") != std::string::npos);
  CHECK(ps.out.rfind("CONTAINER ID   IMAGE     COMMAND   ", 0) == 0);
  REQUIRE(wait_for([&] { return d.berth({"logs", "worker"}).out == "started\n"; }));
  auto ex = d.berth({"exec", "worker", "sh", "-c", "hostname; echo $$; exit 4"});
  CHECK(ex.exit_code == 4);
  CHECK(ex.out.rfind("wk\n", 0) == 0);
  // pid 1 is the container's process; host processes are invisible.
  auto pid1 = d.berth({"exec", "worker", "cat", "/proc/1/cmdline"});
  CHECK(pid1.out.rfind("sh", 0) == 0);
  auto j = inspect(d, id);
  CHECK(j["State"]["Status"] == "running");
  CHECK(j["Name"] == "/worker");
  int pid = j["State"]["Pid"].get<int>();
  CHECK(pid > 0);
  auto stop = d.berth({"stop", "worker"});
  CHECK(stop.exit_code == 0);
  j = inspect(d, id);
  CHECK(j["State"]["Status"] == "exited");
  CHECK(j["State"]["ExitCode"] == 0);
  CHECK(d.berth({"logs", "worker"}).out == "started\nbye\n");
  REQUIRE(d.berth({"rm", "worker"}).exit_code == 0);
  CHECK_FALSE(engine::base::path_exists(d.root() + "/containers/" + id));
  CHECK_FALSE(engine::base::path_exists(d.root() + "/runtime/" + id));
  CHECK_FALSE(engine::base::path_exists("/sys/fs/cgroup/pids/berth/" + id));
  CHECK(::kill(pid, 0) != 0);
}

TEST_CASE("container: a published port answers on 127.0.0.1, names and aliases resolve on a user network") {
  DaemonFixture d;
  d.import_busybox();
  REQUIRE(d.berth({"network", "create", "appnet"}).exit_code == 0);
  auto web = d.berth({"run", "-d", "--name", "web", "--network", "appnet", "--network-alias", "www", "-p",
                      "127.0.0.1::80", "busybox", "sh", "-c", "echo hello > /tmp/index.html; exec httpd -f -p 80 -h /tmp"});
  INFO(web.err);
  REQUIRE(web.exit_code == 0);
  auto port = d.berth({"port", "web", "80"});
  REQUIRE(port.exit_code == 0);
  std::string hostport = trimmed(port.out);
  REQUIRE(hostport.rfind("127.0.0.1:", 0) == 0);
  bool ok = wait_for([&] {
    return test::run_command({"curl", "-s", "-m", "2", "http://" + hostport + "/index.html"}).out == "hello\n";
  });
  CHECK(ok);
  auto by_name = d.berth({"run", "--rm", "--network", "appnet", "busybox", "wget", "-qO-", "http://web/index.html"});
  CHECK(by_name.out == "hello\n");
  auto by_alias = d.berth({"run", "--rm", "--network", "appnet", "busybox", "wget", "-qO-", "http://www/index.html"});
  CHECK(by_alias.out == "hello\n");
  // Another network cannot reach it.
  auto other = d.berth({"run", "--rm", "busybox", "timeout", "5", "wget", "-qO-", "http://web/index.html"});
  CHECK(other.exit_code != 0);
  CHECK(other.err.find("bad address 'web'") != std::string::npos);
}

TEST_CASE("container: on-failure:2 runs a failing container three times") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "-d", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo try; exit 1"});
  REQUIRE(r.exit_code == 0);
  std::string id = trimmed(r.out);
  REQUIRE(wait_for([&] {
    auto j = inspect(d, id);
    return j["State"]["Status"] == "exited" && j["RestartCount"] == 2;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto j = inspect(d, id);
  CHECK(j["RestartCount"] == 2);
  CHECK(j["State"]["ExitCode"] == 1);
  CHECK(d.berth({"logs", id}).out == "try\ntry\ntry\n");
}

TEST_CASE("container: a memory hog past its limit is OOM-killed and inspect says so") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "--memory", "16m", "--memory-swap", "16m", "busybox", "sh", "-c",
                    "x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x=$x$x; done"});
  CHECK(r.exit_code == 137);
  auto ps = d.berth({"ps", "-lq", "--no-trunc"});
  auto j = inspect(d, trimmed(ps.out));
  CHECK(j["State"]["OOMKilled"] == true);
}

TEST_CASE("container: containers outlive a killed berthd and a new berthd re-adopts them") {
  DaemonFixture d;
  d.import_busybox();
  auto r = d.berth({"run", "-d", "--name", "survivor", "busybox", "sleep", "300"});
  REQUIRE(r.exit_code == 0);
  std::string id = trimmed(r.out);
  int cpid = inspect(d, id)["State"]["Pid"].get<int>();
  // An exec started by this berthd keeps running under the container's shim, writing output
  // nobody reads after the kill; the next berthd reports how it ended.
  auto ec = d.client().request("POST", "/containers/" + id + "/exec",
                               R"({"Cmd":["sh","-c","sleep 1; i=0; while [ $i -lt 20000 ]; do echo $i; i=$((i+1)); done; exit 5"]})",
                               "application/json");
  REQUIRE(ec);
  REQUIRE(ec->ok());
  std::string exec_id = ec->json()["Id"];
  auto es = d.client().request("POST", "/exec/" + exec_id + "/start", R"({"Detach":true})", "application/json");
  REQUIRE(es);
  REQUIRE(es->ok());
  ::kill(d.pid(), SIGKILL);
  ::waitpid(d.pid(), nullptr, 0);
  CHECK(::kill(cpid, 0) == 0);
  // A new daemon on the same root and socket.
  std::vector<std::string> args = {test::bin("berthd"), "--root", d.root(), "--host", d.host(), "--bridge", d.bridge(),
                                   "--nft-table", d.nft_table(), "--exec-root", d.root() + "/../run"};
  pid_t p = ::fork();
  if (p == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  REQUIRE(wait_for([&] { return d.client().ping().ok(); }));
  auto j = inspect(d, id);
  CHECK(j["State"]["Status"] == "running");
  CHECK(j["State"]["Pid"] == cpid);
  nlohmann::json xj;
  CHECK(wait_for([&] {
    auto r = d.client().request("GET", "/exec/" + exec_id + "/json");
    if (!r || !r->ok()) return false;
    xj = r->json();
    return xj["Running"] == false;
  }));
  CHECK(xj["ExitCode"] == 5);
  auto stop = d.berth({"stop", "-t", "1", "survivor"});
  CHECK(stop.exit_code == 0);
  CHECK(inspect(d, id)["State"]["Status"] == "exited");
  CHECK(d.berth({"rm", "survivor"}).exit_code == 0);
  ::kill(p, SIGTERM);
  ::waitpid(p, nullptr, 0);
}

TEST_CASE("container: health checks go starting, unhealthy, healthy and emit events") {
  DaemonFixture d;
  d.import_busybox();
  auto since = std::to_string(time(nullptr) - 1);
  auto r = d.berth({"run", "-d", "--name", "hc", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms",
                    "--health-retries", "2", "busybox", "sh", "-c", "sleep 1.5; touch /tmp/ok; exec sleep 300"});
  REQUIRE(r.exit_code == 0);
  std::string id = trimmed(r.out);
  CHECK(inspect(d, id)["State"]["Health"]["Status"] == "starting");
  REQUIRE(wait_for([&] { return inspect(d, id)["State"]["Health"]["Status"] == "unhealthy"; }));
  REQUIRE(wait_for([&] { return inspect(d, id)["State"]["Health"]["Status"] == "healthy"; }));
  auto h = inspect(d, id)["State"]["Health"];
  CHECK(h["FailingStreak"] == 0);
  CHECK(h["Log"].size() >= 3);
  CHECK(h["Log"].back()["ExitCode"] == 0);
  CHECK(d.berth({"ps", "--format", "{{.Status}}"}).out.find("(healthy)") != std::string::npos);
  auto ev = d.berth({"events", "--since", since, "--until", std::to_string(time(nullptr) + 1), "--filter",
                     "event=health_status", "--format", "{{.Action}}"});
  CHECK(ev.out.find("health_status: unhealthy\n") != std::string::npos);
  CHECK(ev.out.find("health_status: healthy\n") != std::string::npos);
}

TEST_CASE("container: network connect and disconnect a running container, and network_mode container:") {
  DaemonFixture d;
  d.import_busybox();
  REQUIRE(d.berth({"network", "create", "front"}).exit_code == 0);
  REQUIRE(d.berth({"network", "create", "back"}).exit_code == 0);
  REQUIRE(d.berth({"network", "create", "--internal", "sealed"}).exit_code == 0);
  auto srv = d.berth({"run", "-d", "--name", "srv", "--network", "front", "busybox", "sh", "-c",
                      "echo up > /tmp/index.html; exec httpd -f -p 80 -h /tmp"});
  REQUIRE(srv.exit_code == 0);
  // Not on "back" yet: a client there cannot resolve it.
  auto before = d.berth({"run", "--rm", "--network", "back", "busybox", "timeout", "5", "wget", "-qO-", "http://srv/index.html"});
  CHECK(before.exit_code != 0);
  CHECK(before.err.find("bad address 'srv'") != std::string::npos);
  auto conn = d.berth({"network", "connect", "--alias", "api", "back", "srv"});
  INFO(conn.err);
  REQUIRE(conn.exit_code == 0);
  auto after = d.berth({"run", "--rm", "--network", "back", "busybox", "timeout", "5", "wget", "-qO-", "http://api/index.html"});
  INFO(after.err);
  INFO(after.exit_code);
  CHECK(after.out == "up\n");
  auto j = inspect(d, "srv");
  CHECK(j["NetworkSettings"]["Networks"].contains("back"));
  CHECK(j["NetworkSettings"]["Networks"]["back"]["IPAddress"].get<std::string>() != "");
  // An internal network has no route out.
  auto route = d.berth({"run", "--rm", "--network", "sealed", "busybox", "ip", "route"});
  CHECK(route.exit_code == 0);
  CHECK(route.out.find("default") == std::string::npos);
  REQUIRE(d.berth({"network", "disconnect", "back", "srv"}).exit_code == 0);
  auto gone = d.berth({"run", "--rm", "--network", "back", "busybox", "timeout", "5", "wget", "-qO-", "http://api/index.html"});
  CHECK(gone.exit_code != 0);
  CHECK(gone.err.find("bad address 'api'") != std::string::npos);
  // A container sharing srv's network namespace reaches it on localhost.
  auto shared = d.berth({"run", "--rm", "--network", "container:srv", "busybox", "wget", "-qO-", "http://127.0.0.1/index.html"});
  CHECK(shared.out == "up\n");
  // A network in use cannot be removed.
  auto rm = d.berth({"network", "rm", "front"});
  CHECK(rm.exit_code == 1);
  CHECK(rm.err.find("has active endpoints") != std::string::npos);
}
