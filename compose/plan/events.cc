// compose events (see events.h).
#include "compose/plan/events.h"

#include <algorithm>
#include <ctime>

#include "compose/plan/labels.h"
#include "engine/base/time.h"

namespace compose::plan {

std::optional<ComposeEvent> compose_event(const Json& d, const std::string& project,
                                          const std::vector<std::string>& services) {
  if (!d.is_object() || d.value("Type", "") != "container") return std::nullopt;
  const Json actor = d.value("Actor", Json::object());
  const Json attrs = actor.value("Attributes", Json::object());
  if (!attrs.is_object() || attrs.value(std::string(kLabelProject), "") != project) return std::nullopt;
  ComposeEvent e;
  e.service = attrs.value(std::string(kLabelService), "");
  if (!services.empty() && std::find(services.begin(), services.end(), e.service) == services.end())
    return std::nullopt;
  e.container = actor.value("ID", d.value("id", ""));
  e.action = d.value("Action", d.value("status", ""));
  e.time_ns = d.value("timeNano", int64_t{0});
  if (e.time_ns == 0) e.time_ns = d.value("time", int64_t{0}) * 1000000000LL;
  for (auto it = attrs.begin(); it != attrs.end(); ++it)
    if (it->is_string() && it.key().rfind("com.docker.compose.", 0) != 0) e.attributes[it.key()] = it->get<std::string>();
  return e;
}

Json event_json(const ComposeEvent& e) {
  return {{"action", e.action},    {"attributes", e.attributes}, {"id", e.container},
          {"service", e.service},  {"time", engine::base::format_rfc3339_nano(e.time_ns)},
          {"type", "container"}};
}

std::string event_text(const ComposeEvent& e) {
  time_t secs = static_cast<time_t>(e.time_ns / 1000000000LL);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  char micros[16];
  std::snprintf(micros, sizeof micros, ".%06lld", static_cast<long long>((e.time_ns % 1000000000LL) / 1000));
  std::string attrs;
  for (const auto& [k, v] : e.attributes) attrs += (attrs.empty() ? "" : ", ") + k + "=" + v;
  return std::string(stamp) + micros + " container " + e.action + " " + e.container + " (" + attrs + ")";
}

}  // namespace compose::plan
