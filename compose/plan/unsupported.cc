// Which service keys berth cannot honour yet: each one is reported by name, so a compose
// file never silently loses a setting.
#include <algorithm>
#include <set>

#include "compose/plan/create_body.h"

namespace compose::plan {

namespace {

/// Keys kept in Service::other that need no engine support.
const std::set<std::string> kIgnorableOther = {"scale"};
/// build: keys beyond the typed ones that POST /build honours.
const std::set<std::string> kBuildOk = {"labels", "tags", "no_cache", "pull"};
/// deploy: keys with meaning for a single engine.
const std::set<std::string> kDeployOk = {"mode", "resources"};

}  // namespace

std::vector<std::string> unsupported_keys(const model::Project& p, const model::Service& s) {
  std::vector<std::string> out;
  const std::string pre = "service " + s.name + ": ";
  for (auto it = s.other.begin(); it != s.other.end(); ++it) {
    if (!kIgnorableOther.count(it.key())) out.push_back(pre + it.key() + " is not supported yet");
  }
  if (s.deploy) {
    for (auto it = s.deploy->other.begin(); it != s.deploy->other.end(); ++it) {
      if (it.key() == "mode" && it->is_string() && it->get<std::string>() == "replicated") continue;
      if (it.key() == "resources") continue;
      out.push_back(pre + "deploy." + it.key() + " is not supported yet");
    }
    if (!s.deploy->limits.other.empty()) out.push_back(pre + "deploy.resources.limits.devices is not supported yet");
    const model::Resources& r = s.deploy->reservations;
    if (r.cpus) out.push_back(pre + "deploy.resources.reservations.cpus is not supported yet");
    if (r.pids) out.push_back(pre + "deploy.resources.reservations.pids is not supported yet");
    if (!r.other.empty()) out.push_back(pre + "deploy.resources.reservations.devices is not supported yet");
  }
  if (s.build && !s.build->other.empty()) {
    for (auto it = s.build->other.begin(); it != s.build->other.end(); ++it)
      if (!kBuildOk.count(it.key())) out.push_back(pre + "build." + it.key() + " is not supported yet");
  }
  for (size_t i = 0; i < s.volumes.size(); ++i) {
    const model::Mount& m = s.volumes[i];
    std::string at = pre + "volumes[" + std::to_string(i) + "]: ";
    if (m.type != "bind" && m.type != "volume" && m.type != "tmpfs")
      out.push_back(at + "type " + m.type + " is not supported yet");
    if (m.other.contains("volume") && m.other["volume"].contains("subpath"))
      out.push_back(at + "volume.subpath is not supported yet");
    if (m.other.contains("bind") && m.other["bind"].contains("selinux"))
      out.push_back(at + "bind.selinux is not supported yet");
  }
  for (const auto& [net, sn] : s.networks) {
    if (!sn) continue;
    for (auto it = sn->other.begin(); it != sn->other.end(); ++it) {
      if (it.key() == "priority") continue;
      out.push_back(pre + "networks." + net + "." + it.key() + " is not supported yet");
    }
    if (!sn->ipv6_address.empty()) out.push_back(pre + "networks." + net + ".ipv6_address is not supported yet");
  }
  auto check_refs = [&](const std::vector<model::FileRef>& refs, const std::map<std::string, model::Resource>& top,
                        const std::string& kind) {
    for (const model::FileRef& f : refs) {
      std::string at = pre + kind + " " + f.source + ": ";
      auto it = top.find(f.source);
      if (it == top.end()) continue;  // the loader reports undefined references
      if (it->second.external) out.push_back(at + "external " + kind + " are not supported yet");
    }
  };
  check_refs(s.secrets, p.secrets, "secrets");
  check_refs(s.configs, p.configs, "configs");
  if (s.logging && !s.logging->driver.empty() && s.logging->driver != "json-file" && s.logging->driver != "none")
    out.push_back(pre + "logging.driver " + s.logging->driver + " is not supported yet");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace compose::plan
