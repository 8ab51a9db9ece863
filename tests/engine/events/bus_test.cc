#include "engine/events/bus.h"

#include <doctest/doctest.h>

#include <thread>

using namespace engine::events;

TEST_CASE("events: subscribers get later events, history replays the past") {
  EventBus bus(3);
  bus.publish({"container", "create", "c1", {{"name", "web"}}, 100});
  auto sub = bus.subscribe();
  std::thread t([&] { bus.publish({"container", "start", "c1", {{"name", "web"}}, 200}); });
  Event e;
  REQUIRE(sub->next(e, 2000));
  t.join();
  CHECK(e.action == "start");
  CHECK_FALSE(sub->next(e, 10));
  for (int i = 0; i < 3; ++i) bus.publish({"volume", "create", "v" + std::to_string(i), {}, 300 + i});
  auto h = bus.history(0, 0);
  REQUIRE(h.size() == 3);  // bounded ring
  CHECK(h.front().id == "v0");
  CHECK(bus.history(301, 302).size() == 1);
}

TEST_CASE("events: JSON has Docker's shape, with legacy fields for containers") {
  Event e{"container", "die", "abc", {{"image", "busybox"}, {"exitCode", "3"}}, 1'700'000'000'123'000'000LL};
  auto j = e.to_json();
  CHECK(j["Type"] == "container");
  CHECK(j["Action"] == "die");
  CHECK(j["Actor"]["ID"] == "abc");
  CHECK(j["Actor"]["Attributes"]["exitCode"] == "3");
  CHECK(j["time"] == 1'700'000'000);
  CHECK(j["timeNano"] == 1'700'000'000'123'000'000LL);
  CHECK(j["status"] == "die");
  CHECK(j["from"] == "busybox");
}
