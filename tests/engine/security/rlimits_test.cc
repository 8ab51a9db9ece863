#include "engine/security/rlimits.h"

#include <doctest/doctest.h>
#include <sys/capability.h>

#include "tests/engine/security/child.h"

using engine::security::Rlimit;

TEST_CASE("rlimits: Docker's ulimit syntax") {
  struct Case {
    std::string spec;
    int resource;
    uint64_t soft, hard;
  };
  const Case ok[] = {
      {"nofile=1024:2048", RLIMIT_NOFILE, 1024, 2048},
      {"nproc=10", RLIMIT_NPROC, 10, 10},
      {"core=-1", RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY},
      {"memlock=65536:-1", RLIMIT_MEMLOCK, 65536, RLIM_INFINITY},
      {"stack=0:0", RLIMIT_STACK, 0, 0},
      {"rttime=5", RLIMIT_RTTIME, 5, 5},
  };
  for (const Case& c : ok) {
    auto r = engine::security::parse_ulimit(c.spec);
    REQUIRE_MESSAGE(r, c.spec);
    CHECK(r->resource == c.resource);
    CHECK(r->soft == c.soft);
    CHECK(r->hard == c.hard);
    CHECK(r->name == c.spec.substr(0, c.spec.find('=')));
  }
  const std::pair<std::string, std::string> bad[] = {
      {"nofile", "ulimit \"nofile\": want name=soft[:hard]"},
      {"files=1", "ulimit \"files=1\": unknown type \"files\""},
      {"nofile=a", "ulimit \"nofile=a\": soft limit \"a\" is not a number"},
      {"nofile=1:", "ulimit \"nofile=1:\": hard limit \"\" is not a number"},
      {"nofile=-2", "ulimit \"nofile=-2\": soft limit \"-2\" is not a number"},
      {"nofile=10:5", "ulimit \"nofile=10:5\": soft limit 10 is above hard limit 5"},
      {"nofile=-1:5", "ulimit \"nofile=-1:5\": soft limit unlimited is above hard limit 5"},
  };
  for (const auto& [spec, msg] : bad) {
    auto r = engine::security::parse_ulimit(spec);
    REQUIRE(!r);
    CHECK(r.error().str() == msg);
  }
  auto twice = engine::security::parse_ulimits({"nofile=1", "nproc=2", "nofile=3"});
  REQUIRE(!twice);
  CHECK(twice.error().str() == "ulimit \"nofile\" is given twice");
  auto many = engine::security::parse_ulimits({"nofile=1:2", "nproc=2"});
  REQUIRE(many);
  CHECK(many->size() == 2);
}

TEST_CASE("rlimits: apply lowers limits and names a refused hard-limit raise") {
  std::string got = test::security::run_in_child([]() -> std::string {
    // Give up CAP_SYS_RESOURCE (if we have it) so a raise must be refused, as on CI hosts.
    cap_t caps = cap_get_proc();
    cap_value_t v = CAP_SYS_RESOURCE;
    cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR);
    if (cap_set_proc(caps) != 0) return "cap_set_proc failed";
    cap_free(caps);
    rlimit cur{};
    ::getrlimit(RLIMIT_NOFILE, &cur);
    uint64_t hard = cur.rlim_max;
    auto lower = engine::security::parse_ulimits({"nofile=64:" + std::to_string(hard)});
    if (!lower || !engine::security::apply_rlimits(*lower)) return "lower failed";
    ::getrlimit(RLIMIT_NOFILE, &cur);
    std::string r = "soft=" + std::to_string(cur.rlim_cur) + " hard_kept=" + (cur.rlim_max == hard ? "yes" : "no");
    Rlimit raise{RLIMIT_NOFILE, 64, hard + 1, "nofile"};
    auto st = engine::security::apply_rlimits({raise});
    std::string want = "setrlimit nofile (soft 64, hard " + std::to_string(hard + 1) +
                       "): raising the hard limit above " + std::to_string(hard) +
                       " needs CAP_SYS_RESOURCE: Operation not permitted";
    r += st.ok() ? " raise=allowed" : (st.error().str() == want ? " raise=named" : " raise=" + st.error().str());
    return r;
  });
  CHECK(got == "soft=64 hard_kept=yes raise=named");
}
