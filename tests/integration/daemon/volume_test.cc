// berth volume … against a real berthd, and the events they emit.
#include <doctest/doctest.h>

#include <thread>

#include "engine/base/fs.h"
#include "tests/integration/daemon_fixture.h"

TEST_CASE("volume: create, ls, inspect, rm and prune through the CLI") {
  test::DaemonFixture d;
  auto c = d.berth({"volume", "create", "--label", "tier=db", "pgdata"});
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK(c.out == "pgdata\n");
  REQUIRE(d.berth({"volume", "create", "cache"}).exit_code == 0);

  auto ls = d.berth({"volume", "ls"});
  CHECK(ls.out == "DRIVER    VOLUME NAME\nlocal     cache\nlocal     pgdata\n");
  auto filtered = d.berth({"volume", "ls", "-q", "--filter", "label=tier=db"});
  CHECK(filtered.out == "pgdata\n");

  auto insp = d.berth({"volume", "inspect", "pgdata"});
  REQUIRE(insp.exit_code == 0);
  auto j = nlohmann::json::parse(insp.out);
  CHECK(j[0]["Name"] == "pgdata");
  CHECK(j[0]["Driver"] == "local");
  CHECK(j[0]["Labels"]["tier"] == "db");
  CHECK(j[0]["Mountpoint"] == d.root() + "/volumes/pgdata/_data");
  CHECK(engine::base::path_exists(j[0]["Mountpoint"].get<std::string>()));

  auto missing = d.berth({"volume", "inspect", "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "Error response from daemon: get nope: no such volume\n");

  REQUIRE(d.berth({"volume", "rm", "cache"}).exit_code == 0);
  auto pr = d.berth({"volume", "prune", "-f"});
  CHECK(pr.out == "Deleted Volumes:\npgdata\n\nTotal reclaimed space: 0B\n");
  CHECK(d.berth({"volume", "ls", "-q"}).out.empty());
  CHECK_FALSE(engine::base::path_exists(d.root() + "/volumes/pgdata"));
}

TEST_CASE("events: /events streams volume events live, filtered by type") {
  test::DaemonFixture d;
  std::string got;
  std::thread reader([&] {
    // until= bounds the stream, so a missing event fails the test instead of hanging it.
    std::string until = std::to_string(time(nullptr) + 15);
    auto r = d.client().stream("GET", "/events?until=" + until + "&filters=" + cli::url_encode(R"({"type":["volume"]})"), "",
                               [&](std::string_view chunk) {
                                 got.append(chunk);
                                 return got.find("destroy") == std::string::npos;
                               });
    CHECK(r);
  });
  // Give the reader time to subscribe, then make events.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(d.berth({"volume", "create", "ev1"}).exit_code == 0);
  REQUIRE(d.berth({"volume", "rm", "ev1"}).exit_code == 0);
  reader.join();
  auto first = nlohmann::json::parse(got.substr(0, got.find('\n')));
  CHECK(first["Type"] == "volume");
  CHECK(first["Action"] == "create");
  CHECK(first["Actor"]["ID"] == "ev1");
  CHECK(got.find("\"Action\":\"destroy\"") != std::string::npos);

  // since= replays the past and until= ends the stream.
  auto past = d.client().request("GET", "/events?since=0&until=" + std::to_string(time(nullptr) + 1));
  REQUIRE(past);
  CHECK(past->body.find("\"ev1\"") != std::string::npos);
}
