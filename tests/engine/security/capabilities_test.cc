#include "engine/security/capabilities.h"

#include <doctest/doctest.h>

#include <algorithm>

using engine::base::Code;
using engine::security::CapState;
using Caps = std::vector<std::string>;

namespace {

Caps with(Caps base, const Caps& add, const Caps& drop) {
  for (const auto& d : drop) base.erase(std::remove(base.begin(), base.end(), d), base.end());
  base.insert(base.end(), add.begin(), add.end());
  std::sort(base.begin(), base.end());
  return base;
}

}  // namespace

TEST_CASE("capabilities: Docker's default set") {
  Caps d = engine::security::default_capabilities();
  CHECK(d == Caps{"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                  "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                  "CAP_SETUID", "CAP_SYS_CHROOT"});
  auto s = engine::security::make_cap_state(d);
  REQUIRE(s);
  // The CapEff every Docker container shows in /proc/self/status.
  CHECK(s->effective == 0xa80425fbull);
  CHECK(s->permitted == 0xa80425fbull);
  CHECK(s->bounding == 0xa80425fbull);
  CHECK(s->inheritable == 0);
  CHECK(engine::security::cap_names(s->effective) == d);
}

TEST_CASE("capabilities: names are normalised case-insensitively") {
  CHECK(*engine::security::normalize_capability("net_admin") == "CAP_NET_ADMIN");
  CHECK(*engine::security::normalize_capability("Cap_Chown") == "CAP_CHOWN");
  CHECK(*engine::security::normalize_capability("CAP_SYS_ADMIN") == "CAP_SYS_ADMIN");
  CHECK(*engine::security::normalize_capability("all") == "ALL");
  auto bad = engine::security::normalize_capability("foo");
  REQUIRE(!bad);
  CHECK(bad.error().code == Code::InvalidArgument);
  CHECK(bad.error().str() == "unknown capability: \"CAP_FOO\"");
}

TEST_CASE("capabilities: resolve follows Docker's cap_add/cap_drop rules") {
  auto all = engine::security::all_capabilities();
  REQUIRE(all);
  CHECK(all->size() >= 38);
  CHECK(std::find(all->begin(), all->end(), "CAP_SYS_ADMIN") != all->end());
  Caps def = engine::security::default_capabilities();
  Caps all_sorted = *all;
  std::sort(all_sorted.begin(), all_sorted.end());
  struct Case {
    Caps add, drop;
    bool privileged;
    Caps want;
  };
  const Case cases[] = {
      {{}, {}, false, def},
      {{"NET_ADMIN"}, {"MKNOD", "cap_net_raw"}, false, with(def, {"CAP_NET_ADMIN"}, {"CAP_MKNOD", "CAP_NET_RAW"})},
      {{"chown"}, {}, false, def},  // already there: no duplicate
      {{"ALL"}, {"SYS_ADMIN"}, false, with(all_sorted, {}, {"CAP_SYS_ADMIN"})},
      {{"CHOWN", "kill"}, {"ALL"}, false, {"CAP_CHOWN", "CAP_KILL"}},
      {{}, {"ALL"}, false, {}},
      {{"NET_ADMIN"}, {"ALL"}, true, all_sorted},
  };
  for (const Case& c : cases) {
    auto r = engine::security::resolve_capabilities(c.add, c.drop, c.privileged);
    REQUIRE(r);
    CHECK(*r == c.want);  // sorted, no duplicates
  }
  auto bad = engine::security::resolve_capabilities({"NET_ADMIN", "BOGUS"}, {}, false);
  REQUIRE(!bad);
  CHECK(bad.error().str() == "cap_add: unknown capability: \"CAP_BOGUS\"");
  auto bad_drop = engine::security::resolve_capabilities({}, {"nope"}, false);
  REQUIRE(!bad_drop);
  CHECK(bad_drop.error().str() == "cap_drop: unknown capability: \"CAP_NOPE\"");
}

TEST_CASE("capabilities: make_cap_state rejects unknown and unresolved names") {
  auto bad = engine::security::make_cap_state({"CAP_CHOWN", "CAP_WHATEVER"});
  REQUIRE(!bad);
  CHECK(bad.error().str() == "unknown capability: \"CAP_WHATEVER\"");
  auto all = engine::security::make_cap_state({"ALL"});
  REQUIRE(!all);
  CHECK(all.error().str() == "capability list: \"ALL\" must be resolved first");
  auto none = engine::security::make_cap_state({});
  REQUIRE(none);
  CHECK(none->effective == 0);
  CHECK(none->last_cap >= 37);
}
