#include "engine/security/rlimits.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string_view>

#include "engine/base/strings.h"

namespace engine::security {

using engine::base::Result;
using engine::base::Status;

namespace {

struct Named {
  std::string_view name;
  int resource;
};

/// Docker's ulimit names (go-units), sorted.
constexpr Named kNames[] = {
    {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},         {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},     {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},     {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},         {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
};

/// An integer >= 0, or -1 for unlimited.
bool parse_value(std::string_view s, uint64_t* out) {
  if (s == "-1") {
    *out = RLIM_INFINITY;
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && *out != RLIM_INFINITY;
}

std::string show(uint64_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

}  // namespace

Result<Rlimit> parse_ulimit(const std::string& spec) {
  auto bad = [&](const std::string& why) { return engine::base::invalid("ulimit \"" + spec + "\": " + why); };
  size_t eq = spec.find('=');
  if (eq == std::string::npos) return bad("want name=soft[:hard]");
  std::string name = spec.substr(0, eq);
  const Named* n = std::find_if(std::begin(kNames), std::end(kNames), [&](const Named& x) { return x.name == name; });
  if (n == std::end(kNames)) return bad("unknown type \"" + name + "\"");
  std::string_view values = std::string_view(spec).substr(eq + 1);
  size_t colon = values.find(':');
  Rlimit r;
  r.name = name;
  r.resource = n->resource;
  if (!parse_value(values.substr(0, colon), &r.soft))
    return bad("soft limit \"" + std::string(values.substr(0, colon)) + "\" is not a number");
  r.hard = r.soft;
  if (colon != std::string_view::npos && !parse_value(values.substr(colon + 1), &r.hard))
    return bad("hard limit \"" + std::string(values.substr(colon + 1)) + "\" is not a number");
  if (r.soft > r.hard) return bad("soft limit " + show(r.soft) + " is above hard limit " + show(r.hard));
  return r;
}

Result<std::vector<Rlimit>> parse_ulimits(const std::vector<std::string>& specs) {
  std::vector<Rlimit> out;
  std::set<std::string> seen;
  for (const std::string& s : specs) {
    auto r = parse_ulimit(s);
    if (!r) return r.take_error();
    if (!seen.insert(r->name).second) return engine::base::invalid("ulimit \"" + r->name + "\" is given twice");
    out.push_back(std::move(*r));
  }
  return out;
}

int apply_rlimits_raw(const Rlimit* limits, size_t n, size_t* failed) noexcept {
  for (size_t i = 0; i < n; ++i) {
    rlimit v{static_cast<rlim_t>(limits[i].soft), static_cast<rlim_t>(limits[i].hard)};
    if (::setrlimit(static_cast<__rlimit_resource>(limits[i].resource), &v) != 0) {
      if (failed) *failed = i;
      return errno;
    }
  }
  return 0;
}

engine::base::Error rlimit_error(const Rlimit& r, int err) {
  std::string msg = "setrlimit " + r.name + " (soft " + show(r.soft) + ", hard " + show(r.hard) + ")";
  rlimit cur{};
  if (::getrlimit(static_cast<__rlimit_resource>(r.resource), &cur) == 0 && err == EPERM && r.hard > cur.rlim_max)
    msg += ": raising the hard limit above " + show(cur.rlim_max) + " needs CAP_SYS_RESOURCE";
  return engine::base::sys_error(msg, err);
}

Status apply_rlimits(const std::vector<Rlimit>& limits) {
  size_t failed = 0;
  int err = apply_rlimits_raw(limits.data(), limits.size(), &failed);
  if (err != 0) return rlimit_error(limits[failed], err);
  return {};
}

}  // namespace engine::security
