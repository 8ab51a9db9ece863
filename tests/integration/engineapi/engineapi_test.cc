// Engine API verbs of issue 7 (part A): update, cp (running and stopped, hostile paths),
// system df/prune and stats, through the berth CLI against a private berthd.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "tests/integration/daemon_fixture.h"

using test::DaemonFixture;
using test::inspect;
using test::trimmed;

namespace {

/// Starts a detached busybox container that sleeps; returns its ID.
std::string run_sleeper(const DaemonFixture& d, const std::vector<std::string>& flags = {}) {
  std::vector<std::string> args = {"run", "-d"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"busybox", "sleep", "300"});
  auto r = d.berth(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return trimmed(r.out);
}

/// The memory limit file of a container's cgroup (v1 or v2), read back.
std::string memory_limit_file(const std::string& id) {
  for (const std::string& p : {"/sys/fs/cgroup/memory/berth/" + id + "/memory.limit_in_bytes",
                               "/sys/fs/cgroup/berth/" + id + "/memory.max"})
    if (auto v = engine::base::read_file(p)) return trimmed(*v);
  return "";
}

/// docker cp's temporary mounts under the daemon's root (a stopped container's copy must leave none).
int mounts_under(const std::string& root) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.find(" " + root) != std::string::npos && line.find("/cp.") != std::string::npos) {
      MESSAGE(line);
      ++n;
    }
  return n;
}

}  // namespace

TEST_CASE("engineapi: update lowers a running container's memory limit in its cgroup and inspect") {
  DaemonFixture d;
  d.import_busybox();
  std::string id = run_sleeper(d, {"--memory", "64m"});
  CHECK(memory_limit_file(id) == std::to_string(64 << 20));
  auto r = d.berth({"update", "--memory", "32m", "--pids-limit", "40", "--restart", "on-failure:2", id});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(trimmed(r.out) == id);
  CHECK(memory_limit_file(id) == std::to_string(32 << 20));
  auto hc = inspect(d, id)["HostConfig"];
  CHECK(hc["Memory"] == 32 << 20);
  CHECK(hc["PidsLimit"] == 40);
  CHECK(hc["RestartPolicy"]["Name"] == "on-failure");
  CHECK(hc["RestartPolicy"]["MaximumRetryCount"] == 2);
  // The raw API answers {"Warnings": []}; a bad value is a 400 with a message and changes nothing.
  auto ok = d.client().request("POST", "/containers/" + id + "/update", R"({"CpuShares": 512})");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->json() == nlohmann::json{{"Warnings", nlohmann::json::array()}});
  auto bad = d.client().request("POST", "/containers/" + id + "/update", R"({"Memory": 1024})");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->error_message().find("minimum") != std::string::npos);
  auto cli_bad = d.berth({"update", "--restart", "sometimes", id});
  CHECK(cli_bad.exit_code != 0);
  CHECK(cli_bad.err.find("invalid restart policy") != std::string::npos);
  CHECK(memory_limit_file(id) == std::to_string(32 << 20));
  CHECK(d.berth({"rm", "-f", id}).exit_code == 0);
}

TEST_CASE("engineapi: cp copies files and directories both ways for running and stopped containers") {
  DaemonFixture d;
  d.import_busybox();
  test::TempDir local("berth-cp");
  test::write_text(local / "hello.txt", "hello from the host\n");
  std::filesystem::create_directories(local / "tree/sub");
  test::write_text(local / "tree/sub/leaf.txt", "leaf\n");
  std::string id = run_sleeper(d);

  // Into a running container: a file into a directory, a directory to a new name.
  REQUIRE(d.berth({"cp", local / "hello.txt", id + ":/tmp/"}).exit_code == 0);
  REQUIRE(d.berth({"cp", local / "tree", id + ":/tmp/copied"}).exit_code == 0);
  CHECK(d.berth({"exec", id, "cat", "/tmp/hello.txt"}).out == "hello from the host\n");
  CHECK(d.berth({"exec", id, "cat", "/tmp/copied/sub/leaf.txt"}).out == "leaf\n");
  // Out of it: a file to a new name, a directory's contents with "/.".
  REQUIRE(d.berth({"exec", id, "sh", "-c", "mkdir -p /tmp/made && echo inner > /tmp/made/in.txt"}).exit_code == 0);
  REQUIRE(d.berth({"cp", id + ":/tmp/hello.txt", local / "back.txt"}).exit_code == 0);
  CHECK(engine::base::read_file(local / "back.txt").value() == "hello from the host\n");
  std::filesystem::create_directories(local / "out");
  REQUIRE(d.berth({"cp", id + ":/tmp/made/.", local / "out"}).exit_code == 0);
  CHECK(engine::base::read_file(local / "out/in.txt").value() == "inner\n");
  // "-" streams a tar to stdout.
  auto tar = d.berth({"cp", id + ":/tmp/made/in.txt", "-"});
  REQUIRE(tar.exit_code == 0);
  CHECK(tar.out.find("inner\n") != std::string::npos);

  // Stopped: its writable layer is mounted for the copy and unmounted after.
  REQUIRE(d.berth({"stop", "-t", "0", id}).exit_code == 0);
  REQUIRE(d.berth({"cp", id + ":/tmp/copied/sub/leaf.txt", local / "leaf-again.txt"}).exit_code == 0);
  CHECK(engine::base::read_file(local / "leaf-again.txt").value() == "leaf\n");
  test::write_text(local / "late.txt", "written while stopped\n");
  REQUIRE(d.berth({"cp", local / "late.txt", id + ":/tmp/late.txt"}).exit_code == 0);
  CHECK(mounts_under(d.root()) == 0);
  REQUIRE(d.berth({"start", id}).exit_code == 0);
  CHECK(d.berth({"exec", id, "cat", "/tmp/late.txt"}).out == "written while stopped\n");

  // A missing path: docker's message, exit 1.
  auto missing = d.berth({"cp", id + ":/no/such/file", local / "x"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("Could not find the file") != std::string::npos);
  CHECK(d.berth({"rm", "-f", id}).exit_code == 0);
}

TEST_CASE("engineapi: cp resolves hostile links inside the container and refuses escaping archives") {
  DaemonFixture d;
  d.import_busybox();
  test::TempDir local("berth-cp");
  std::string id = run_sleeper(d);
  // A link planted by the container that points "up and out" reads the container's own /etc.
  REQUIRE(d.berth({"exec", id, "sh", "-c", "echo mine > /etc/marker && ln -s ../../../../../../etc /tmp/evil"}).exit_code == 0);
  REQUIRE(d.berth({"cp", id + ":/tmp/evil/marker", local / "marker"}).exit_code == 0);
  CHECK(engine::base::read_file(local / "marker").value() == "mine\n");
  // Writing through the link lands in the container, not on the host.
  test::write_text(local / "drop.txt", "dropped\n");
  REQUIRE(d.berth({"cp", local / "drop.txt", id + ":/tmp/evil/drop.txt"}).exit_code == 0);
  CHECK_FALSE(engine::base::path_exists("/etc/drop.txt"));
  CHECK(d.berth({"exec", id, "cat", "/etc/drop.txt"}).out == "dropped\n");
  // A tar whose entry climbs out of the destination is refused whole.
  test::TempDir outside("berth-outside");
  std::string rel = "../../../../../../../../.." + outside.path() + "/escaped.txt";
  auto made = test::run_command({"tar", "-cf", local / "evil.tar", "-P", "--transform", "s|.*drop.txt|" + rel + "|",
                                 "-C", local.path(), "drop.txt"});
  REQUIRE(made.exit_code == 0);
  std::string evil_tar = engine::base::read_file(local / "evil.tar").value();
  auto r = d.berth({"cp", "-", id + ":/tmp"}, 60, evil_tar);
  CHECK(r.exit_code != 0);
  CHECK_FALSE(engine::base::path_exists(outside / "escaped.txt"));
  CHECK(d.berth({"rm", "-f", id}).exit_code == 0);
}

TEST_CASE("engineapi: system df counts what exists and system prune reclaims it") {
  DaemonFixture d;
  d.import_busybox();
  REQUIRE(d.berth({"volume", "create", "dfvol"}).exit_code == 0);
  auto c = d.berth({"create", "-v", "dfvol:/data", "busybox", "true"});
  REQUIRE(c.exit_code == 0);
  auto api = d.client().request("GET", "/system/df");
  REQUIRE(api);
  REQUIRE(api->ok());
  auto df = api->json();
  REQUIRE(df["Images"].size() == 1);
  CHECK(df["LayersSize"].get<uint64_t>() > 0);
  CHECK(df["LayersSize"] == df["Images"][0]["Size"]);
  CHECK(df["Images"][0]["Containers"] == 1);
  CHECK(df["Containers"].size() == 1);
  CHECK(df["Containers"][0].contains("SizeRw"));
  REQUIRE(df["Volumes"].size() == 1);
  CHECK(df["Volumes"][0]["UsageData"]["RefCount"] == 1);
  CHECK(df["BuildCache"] == nlohmann::json::array());

  auto j = d.berth({"system", "df", "--format", "json"});
  REQUIRE(j.exit_code == 0);
  auto lines = engine::base::split(trimmed(j.out), '\n');
  REQUIRE(lines.size() == 4);
  auto images = nlohmann::json::parse(lines[0]);
  CHECK(images["Type"] == "Images");
  CHECK(images["TotalCount"] == "1");
  CHECK(images["Active"] == "1");
  auto volumes = nlohmann::json::parse(lines[2]);
  CHECK(volumes["Type"] == "Local Volumes");
  CHECK(volumes["Active"] == "1");
  auto table = d.berth({"system", "df"});
  CHECK(table.out.rfind("TYPE", 0) == 0);
  CHECK(table.out.find("RECLAIMABLE") != std::string::npos);

  // Without -f and with no "y" on stdin nothing is removed.
  auto declined = d.berth({"system", "prune"}, 60, "n\n");
  CHECK(declined.out.find("Are you sure you want to continue?") != std::string::npos);
  CHECK(trimmed(d.berth({"ps", "-aq"}).out).size() > 0);
  // The container's writable layer counts in the reclaimed space.
  std::string cid = trimmed(c.out);
  test::TempDir local("berth-df");
  test::write_text(local / "blob.bin", std::string(5000, 'x'));
  REQUIRE(d.berth({"cp", local / "blob.bin", cid + ":/blob.bin"}).exit_code == 0);
  auto pruned = d.berth({"system", "prune", "-a", "-f", "--volumes"});
  REQUIRE_MESSAGE(pruned.exit_code == 0, pruned.err);
  CHECK(pruned.out.find("Deleted Containers:") != std::string::npos);
  CHECK(pruned.out.find("Total reclaimed space:") != std::string::npos);
  CHECK(pruned.out.find("Total reclaimed space: 0B") == std::string::npos);
  auto after = d.client().request("GET", "/system/df")->json();
  CHECK(after["Containers"].empty());
  CHECK(after["Images"].empty());
  CHECK(after["Volumes"].empty());
}

TEST_CASE("engineapi: stats --no-stream --format json reports a running container") {
  DaemonFixture d;
  d.import_busybox();
  auto run = d.berth({"run", "-d", "--name", "statme", "--memory", "64m", "busybox", "sleep", "300"});
  REQUIRE(run.exit_code == 0);
  auto r = d.berth({"stats", "--no-stream", "--format", "json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto lines = engine::base::split(trimmed(r.out), '\n');
  REQUIRE(lines.size() == 1);
  auto row = nlohmann::json::parse(lines[0]);
  CHECK(row["Name"] == "statme");
  CHECK(row["ID"].get<std::string>().size() == 12);
  CHECK(row["MemUsage"].get<std::string>().find(" / 64MiB") != std::string::npos);
  CHECK(row["PIDs"] == "1");
  CHECK(row["CPUPerc"].get<std::string>().back() == '%');
  auto table = d.berth({"stats", "--no-stream"});
  CHECK(table.out.rfind("CONTAINER ID   NAME", 0) == 0);
  CHECK(table.out.find("MEM USAGE / LIMIT") != std::string::npos);
  CHECK(d.berth({"rm", "-f", "statme"}).exit_code == 0);
}

TEST_CASE("engineapi: compose cp copies to and from a service's container") {
  DaemonFixture d;
  d.import_busybox();
  test::TempDir dir("berth-ccp");
  test::write_text(dir / "compose.yaml", "services:\n  web:\n    image: busybox\n    command: sleep 300\n");
  test::write_text(dir / "in.txt", "to the service\n");
  std::string project = test::unique_name("ccp");
  auto compose = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"compose", "-f", dir / "compose.yaml", "-p", project};
    argv.insert(argv.end(), args.begin(), args.end());
    return d.berth(argv);
  };
  REQUIRE(compose({"up", "-d"}).exit_code == 0);
  auto in = compose({"cp", dir / "in.txt", "web:/tmp/in.txt"});
  REQUIRE_MESSAGE(in.exit_code == 0, in.err);
  auto out = compose({"cp", "--index", "1", "web:/tmp/in.txt", dir / "back.txt"});
  REQUIRE_MESSAGE(out.exit_code == 0, out.err);
  CHECK(engine::base::read_file(dir / "back.txt").value() == "to the service\n");
  CHECK(compose({"cp", "nosuch:/x", dir / "y"}).exit_code != 0);
  CHECK(compose({"down"}).exit_code == 0);
}
