#include "engine/api/event_routes.h"

#include "engine/api/filters.h"
#include "engine/base/time.h"

namespace engine::api {

using namespace engine::base;
using engine::events::Event;

Result<int64_t> parse_event_time(const std::string& s) {
  if (s.empty()) return int64_t(0);
  if (s.find('-') != std::string::npos && s.find('T') != std::string::npos) return parse_rfc3339(s);
  char* end = nullptr;
  long double secs = std::strtold(s.c_str(), &end);
  if (end == s.c_str() || *end != 0) return invalid("invalid time \"" + s + "\"");
  return static_cast<int64_t>(secs * 1e9L);
}

static bool matches(const Filters& f, const Event& e) {
  if (!f.match_exact("type", e.type)) return false;
  if (!f.match_exact("event", e.action)) {
    // "health_status" matches "health_status: healthy" as Docker does.
    bool prefix = false;
    for (const auto& v : f.values("event"))
      if (e.action.rfind(v + ":", 0) == 0) prefix = true;
    if (!prefix) return false;
  }
  auto attr = [&](const char* k) {
    auto it = e.attributes.find(k);
    return it == e.attributes.end() ? std::string() : it->second;
  };
  if (e.type == "container") {
    if (f.has("container") && !f.match_exact("container", e.id) && !f.match_exact("container", attr("name")))
      return false;
  } else if (f.has("container")) {
    return false;
  }
  if (f.has("image") && !f.match_exact("image", attr("image")) && !(e.type == "image" && f.match_exact("image", e.id)))
    return false;
  if (f.has("network") && !(e.type == "network" && (f.match_exact("network", e.id) || f.match_exact("network", attr("name")))))
    return false;
  if (f.has("volume") && !(e.type == "volume" && f.match_exact("volume", e.id))) return false;
  if (!f.match_labels(e.attributes)) return false;
  return true;
}

void add_event_routes(Router& r, engine::events::EventBus* bus) {
  Route route{"GET", "/events",
              [bus](Exchange& ex) {
                auto f = Filters::parse(ex.req().q("filters").value_or(""),
                                        {"type", "event", "container", "image", "network", "volume", "label", "daemon",
                                         "scope"});
                if (!f) return ex.respond_error(f.error());
                auto since = parse_event_time(ex.req().q("since").value_or(""));
                auto until = parse_event_time(ex.req().q("until").value_or(""));
                if (!since) return ex.respond_error(since.error());
                if (!until) return ex.respond_error(until.error());
                // Subscribe before replaying so nothing falls between history and live.
                auto sub = bus->subscribe();
                if (!ex.begin_stream(200, "application/json")) return bus->unsubscribe(sub);
                int64_t last = 0;
                if (ex.req().q("since"))
                  for (const Event& e : bus->history(*since, *until)) {
                    if (matches(*f, e)) ex.write_chunk(e.to_json().dump() + "\n");
                    last = e.time_ns;
                  }
                for (;;) {
                  if (*until != 0 && now_ns() >= *until) break;
                  Event e;
                  if (!sub->next(e, 200)) {
                    if (ex.client_gone()) break;
                    continue;
                  }
                  if (e.time_ns <= last) continue;  // already replayed
                  if (*until != 0 && e.time_ns >= *until) break;
                  if (matches(*f, e) && !ex.write_chunk(e.to_json().dump() + "\n")) break;
                }
                bus->unsubscribe(sub);
                ex.end_stream();
              },
              true};
  r.add(std::move(route));
}

}  // namespace engine::api
