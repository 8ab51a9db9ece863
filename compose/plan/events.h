#pragma once
/// `compose events`: the engine's container events of a project, in Docker Compose's shapes.
/// Pure: a daemon event (GET /events message) in, a compose event out.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/plan/engine_client.h"

namespace compose::plan {

/// One container event of a compose service.
struct ComposeEvent {
  int64_t time_ns = 0;
  std::string service;
  std::string container;  ///< container id
  std::string action;     ///< create, start, die, health_status: healthy, ...
  std::map<std::string, std::string> attributes;  ///< without the com.docker.compose.* labels
};

/// The compose event of a daemon event; nullopt unless it is a container event of `project`
/// (and of one of `services`, when given).
std::optional<ComposeEvent> compose_event(const Json& daemon_event, const std::string& project,
                                          const std::vector<std::string>& services);
/// `events --json`: {"action","attributes","id","service","time","type":"container"}.
Json event_json(const ComposeEvent& e);
/// The text line: "2026-11-28 06:30:00.123456 container start <id> (image=..., name=...)".
std::string event_text(const ComposeEvent& e);

}  // namespace compose::plan
