// berth import, images, inspect, history, tag, rmi, prune, save and load against a real
// berthd; the Engine API answers (shapes, status codes) and the stock docker CLI.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/base/fs.h"
#include "tests/integration/imageapi/imageapi_fixture.h"

using test::lines;

TEST_CASE("imageapi: import a busybox rootfs, images lists it in aligned columns, inspect and history") {
  test::DaemonFixture d;
  test::TempDir dir;
  std::string id = test::import_busybox(d, dir, "bb:1");
  CHECK(id.rfind("sha256:", 0) == 0);

  auto ls = d.berth({"images"});
  REQUIRE_MESSAGE(ls.exit_code == 0, ls.err);
  auto rows = lines(ls.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].rfind("REPOSITORY   TAG", 0) == 0);
  // Every column starts where its header starts.
  for (const char* h : {"TAG", "IMAGE ID", "CREATED", "SIZE"}) {
    size_t col = rows[0].find(h);
    REQUIRE(col != std::string::npos);
    CHECK(rows[1][col - 1] == ' ');
    CHECK(rows[1][col] != ' ');
  }
  CHECK(rows[1].rfind("bb           1", 0) == 0);
  CHECK(rows[1].find("   " + id.substr(7, 12) + "   ") != std::string::npos);
  CHECK(rows[1].find(" ago ") != std::string::npos);
  CHECK(rows[1].find("MB") != std::string::npos);

  CHECK(d.berth({"images", "-q"}).out == id.substr(7, 12) + "\n");
  CHECK(d.berth({"image", "ls", "-q", "--no-trunc"}).out == id + "\n");
  CHECK(d.berth({"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"}).out == "bb:1 " + id.substr(7, 12) + "\n");
  // "table" templates: docker's headers, aligned columns at the tabs (written as \t on the command line).
  CHECK(d.berth({"images", "--format", "table {{.Repository}}\\t{{.ID}}"}).out ==
        "REPOSITORY   IMAGE ID\nbb           " + id.substr(7, 12) + "\n");
  CHECK(d.berth({"images", "--format", "{{.Tag}}\\t{{.Repository}}"}).out == "1\tbb\n");
  auto js = d.berth({"images", "--format", "json"});
  REQUIRE(js.exit_code == 0);
  auto row = nlohmann::json::parse(js.out);
  CHECK(row["Repository"] == "bb");
  CHECK(row["Tag"] == "1");
  CHECK(row["ID"] == id.substr(7, 12));

  auto insp = d.berth({"image", "inspect", "bb:1"});
  REQUIRE_MESSAGE(insp.exit_code == 0, insp.err);
  auto j = nlohmann::json::parse(insp.out);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  CHECK(j[0]["Id"] == id);
  CHECK(j[0]["RepoTags"] == nlohmann::json::array({"bb:1"}));
  CHECK(j[0]["Config"]["Cmd"] == nlohmann::json::array({"/bin/sh"}));
  CHECK(j[0]["Config"]["Env"] == nlohmann::json::array({"PATH=/bin"}));
  CHECK(j[0]["Os"] == "linux");
  CHECK(j[0]["Architecture"] == "amd64");
  CHECK(j[0]["RootFS"]["Type"] == "layers");
  CHECK(j[0]["RootFS"]["Layers"].size() == 1);
  CHECK(j[0]["Size"].get<uint64_t>() > 1000000);
  // The short ID resolves too.
  CHECK(nlohmann::json::parse(d.berth({"image", "inspect", id.substr(7, 12)}).out)[0]["Id"] == id);

  auto hist = d.berth({"history", "bb:1"});
  REQUIRE_MESSAGE(hist.exit_code == 0, hist.err);
  auto hrows = lines(hist.out);
  REQUIRE(hrows.size() == 2);
  CHECK(hrows[0].rfind("IMAGE          CREATED", 0) == 0);
  CHECK(hrows[0].find("CREATED BY") != std::string::npos);
  CHECK(hrows[1].rfind(id.substr(7, 12), 0) == 0);
  CHECK(hrows[1].find("Imported from -") != std::string::npos);
  CHECK(d.berth({"history", "--format", "{{.ID}}|{{.Comment}}", "bb:1"}).out == id.substr(7, 12) + "|Imported from -\n");

  auto missing = d.berth({"image", "inspect", "nosuch:1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "Error response from daemon: no such image: nosuch:1\n");
}

TEST_CASE("imageapi: tag, rmi (Untagged/Deleted lines, conflicts) and prune of dangling images") {
  test::DaemonFixture d;
  test::TempDir dir;
  std::string id = test::import_busybox(d, dir, "bb:1");
  REQUIRE(d.berth({"tag", "bb:1", "other/bb:2"}).exit_code == 0);
  REQUIRE(d.berth({"image", "tag", id.substr(7, 12), "bb:3"}).exit_code == 0);
  auto tags = d.berth({"images", "--format", "{{.Repository}}:{{.Tag}}"});
  CHECK(tags.out == "bb:1\nbb:3\nother/bb:2\n");
  CHECK(d.berth({"images", "-q", "bb"}).out == id.substr(7, 12) + "\n" + id.substr(7, 12) + "\n");
  CHECK(d.berth({"images", "--filter", "reference=other/*", "--format", "{{.Repository}}:{{.Tag}}"}).out ==
        "other/bb:2\n");

  auto conflict = d.berth({"rmi", id.substr(7, 12)});
  CHECK(conflict.exit_code == 1);
  CHECK(conflict.err.find("must be forced") != std::string::npos);

  auto un = d.berth({"rmi", "other/bb:2", "bb:3"});
  CHECK(un.exit_code == 0);
  CHECK(un.out == "Untagged: other/bb:2\nUntagged: bb:3\n");
  auto del = d.berth({"image", "rm", "bb:1"});
  REQUIRE_MESSAGE(del.exit_code == 0, del.err);
  auto dl = lines(del.out);
  REQUIRE(dl.size() >= 2);
  CHECK(dl[0] == "Untagged: bb:1");
  CHECK(dl[1] == "Deleted: " + id);
  CHECK(d.berth({"images", "-q"}).out.empty());

  // An untagged import is dangling: listed as <none>, pruned by `image prune`.
  test::import_busybox(d, dir, "");
  std::string keep = test::import_busybox(d, dir, "keep:1");
  auto ls = lines(d.berth({"images"}).out);
  REQUIRE(ls.size() == 3);
  CHECK(d.berth({"images", "-f", "dangling=true", "--format", "{{.Repository}}:{{.Tag}}"}).out == "<none>:<none>\n");
  auto pr = d.berth({"image", "prune", "-f"});
  REQUIRE_MESSAGE(pr.exit_code == 0, pr.err);
  CHECK(pr.out.rfind("Deleted Images:\ndeleted: sha256:", 0) == 0);
  CHECK(pr.out.find("Total reclaimed space: ") != std::string::npos);
  CHECK(d.berth({"images", "--format", "{{.Repository}}:{{.Tag}}"}).out == "keep:1\n");
  // Declining the prompt removes nothing; prune -a removes unused tagged images too.
  CHECK(d.berth({"image", "prune", "-a"}, 60, "n\n").exit_code == 0);
  CHECK(d.berth({"images", "-q"}).out == keep.substr(7, 12) + "\n");
  auto all = d.berth({"image", "prune", "-a", "-f"});
  CHECK(all.out.find("untagged: keep:1\n") != std::string::npos);
  CHECK(d.berth({"images", "-q"}).out.empty());

  // Each step was published on /events as an image event.
  std::string until = std::to_string(std::time(nullptr) + 1);
  auto ev = d.client().request("GET", "/events?since=0&until=" + until + "&filters=" +
                                          cli::url_encode(R"({"type":["image"]})"));
  REQUIRE(ev);
  std::set<std::string> actions;
  for (const auto& line : lines(ev->body)) actions.insert(nlohmann::json::parse(line).value("Action", ""));
  CHECK(actions == std::set<std::string>{"delete", "import", "prune", "tag", "untag"});
}

TEST_CASE("imageapi: save, rmi and load round-trip an image (file and stdin/stdout)") {
  test::DaemonFixture d;
  test::TempDir dir;
  std::string id = test::import_busybox(d, dir, "bb:1");
  std::string tar = dir / "bb.tar";
  auto save = d.berth({"save", "-o", tar, "bb:1"});
  REQUIRE_MESSAGE(save.exit_code == 0, save.err);
  struct stat st {};
  REQUIRE(::stat(tar.c_str(), &st) == 0);
  CHECK(st.st_size > 500000);
  REQUIRE(d.berth({"rmi", "bb:1"}).exit_code == 0);
  auto load = d.berth({"load", "-i", tar});
  REQUIRE_MESSAGE(load.exit_code == 0, load.err);
  CHECK(load.out == "Loaded image: bb:1\n");
  CHECK(nlohmann::json::parse(d.berth({"image", "inspect", "bb:1"}).out)[0]["Id"] == id);

  // To stdout, and back through stdin.
  auto out = d.berth({"save", "bb:1"});
  REQUIRE(out.exit_code == 0);
  CHECK(out.out.size() == size_t(st.st_size));
  REQUIRE(d.berth({"rmi", "bb:1"}).exit_code == 0);
  auto in = d.berth({"load"}, 60, out.out);
  REQUIRE_MESSAGE(in.exit_code == 0, in.err);
  CHECK(in.out == "Loaded image: bb:1\n");

  auto bad = d.berth({"save", "-o", dir / "x.tar", "nosuch:1"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "Error response from daemon: no such image: nosuch:1\n");
  CHECK_FALSE(engine::base::path_exists(dir / "x.tar"));
  auto garbage = d.berth({"load"}, 60, "this is not a tar archive");
  CHECK(garbage.exit_code != 0);
}

TEST_CASE("imageapi: Engine API status codes and error messages") {
  test::DaemonFixture d;
  cli::ApiClient api = d.client();
  auto r = api.request("GET", "/v1.41/images/nosuch/json");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->error_message() == "no such image: nosuch");
  r = api.request("POST", "/images/create?fromSrc=http%3A%2F%2Fexample.com%2Fr.tar&repo=x");
  CHECK(r->status == 400);
  CHECK(r->error_message().find("not supported") != std::string::npos);
  r = api.request("GET", "/images/json?filters=%7B%22color%22%3A%5B%22red%22%5D%7D");
  CHECK(r->status == 400);
  CHECK(r->error_message() == "invalid filter 'color'");
  r = api.request("GET", "/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D");
  CHECK(r->status == 400);
  r = api.request("POST", "/images/nosuch/tag?repo=a&tag=b");
  CHECK(r->status == 404);
  r = api.request("DELETE", "/images/nosuch");
  CHECK(r->status == 404);
  r = api.request("POST", "/images/prune");
  REQUIRE(r->status == 200);
  CHECK(r->json()["ImagesDeleted"].is_null());
  CHECK(r->json()["SpaceReclaimed"] == 0);
  r = api.request("POST", "/images/create?fromSrc=-&repo=bad&changes=FROM%20x", "x", "application/x-tar");
  CHECK(r->status == 400);
  CHECK(r->error_message() == "import: change \"FROM x\": FROM is not a valid change command");
}

TEST_CASE("imageapi: the stock docker CLI lists and inspects an image imported with berth") {
  test::DaemonFixture d;
  test::TempDir dir;
  std::string id = test::import_busybox(d, dir, "bb:1");
  int ran = 0;
  for (const char* docker : {"/usr/bin/docker", "/usr/local/bin/docker"}) {
    if (::access(docker, X_OK) != 0) continue;
    ++ran;
    INFO(docker);
    std::vector<std::string> env = {"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + (dir / "docker-config")};
    auto ls = test::run_command({docker, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"}, env);
    CHECK_MESSAGE(ls.exit_code == 0, ls.err);
    CHECK(ls.out == "bb:1 " + id.substr(7, 12) + "\n");
    auto insp = test::run_command({docker, "image", "inspect", "--format", "{{.Id}} {{.Os}}", "bb:1"}, env);
    CHECK_MESSAGE(insp.exit_code == 0, insp.err);
    CHECK(insp.out == id + " linux\n");
    auto tag = test::run_command({docker, "tag", "bb:1", "bb:docker"}, env);
    CHECK_MESSAGE(tag.exit_code == 0, tag.err);
    auto rmi = test::run_command({docker, "rmi", "bb:docker"}, env);
    CHECK(rmi.out == "Untagged: bb:docker\n");
  }
  CHECK_MESSAGE(ran > 0, "no docker CLI found at /usr/bin/docker or /usr/local/bin/docker");
}
