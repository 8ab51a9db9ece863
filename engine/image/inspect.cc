#include "engine/image/inspect.h"

#include <nlohmann/json.hpp>

#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace engine::image {

using nlohmann::json;

namespace {

json list_or_null(const std::optional<std::vector<std::string>>& v) { return v ? json(*v) : json(nullptr); }

json set_or_null(const std::vector<std::string>& keys) {
  if (keys.empty()) return nullptr;
  json o = json::object();
  for (const std::string& k : keys) o[k] = json::object();
  return o;
}

}  // namespace

json docker_config_json(const ContainerConfig& c) {
  json j = {{"Hostname", ""},
            {"Domainname", ""},
            {"User", c.user},
            {"AttachStdin", false},
            {"AttachStdout", false},
            {"AttachStderr", false},
            {"Tty", false},
            {"OpenStdin", false},
            {"StdinOnce", false},
            {"Env", c.env.empty() ? json(nullptr) : json(c.env)},
            {"Cmd", list_or_null(c.cmd)},
            {"Image", ""},
            {"Volumes", set_or_null(c.volumes)},
            {"WorkingDir", c.working_dir},
            {"Entrypoint", list_or_null(c.entrypoint)},
            {"OnBuild", c.on_build.empty() ? json(nullptr) : json(c.on_build)},
            {"Labels", c.labels.empty() ? json(nullptr) : json(c.labels)}};
  if (!c.exposed_ports.empty()) j["ExposedPorts"] = set_or_null(c.exposed_ports);
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.args_escaped) j["ArgsEscaped"] = true;
  if (c.healthcheck) {
    json h = {{"Test", c.healthcheck->test}};
    if (c.healthcheck->interval_ns) h["Interval"] = c.healthcheck->interval_ns;
    if (c.healthcheck->timeout_ns) h["Timeout"] = c.healthcheck->timeout_ns;
    if (c.healthcheck->start_period_ns) h["StartPeriod"] = c.healthcheck->start_period_ns;
    if (c.healthcheck->retries) h["Retries"] = c.healthcheck->retries;
    j["Healthcheck"] = h;
  }
  return j;
}

json image_summary_json(const Image& img) {
  return {{"Containers", -1},
          {"Created", img.created_ns / 1000000000},
          {"Id", img.id.str()},
          {"Labels", img.config.config.labels.empty() ? json(nullptr) : json(img.config.config.labels)},
          {"ParentId", ""},
          {"RepoDigests", img.repo_digests.empty() ? json({"<none>@<none>"}) : json(img.repo_digests)},
          {"RepoTags", img.repo_tags.empty() ? json({"<none>:<none>"}) : json(img.repo_tags)},
          {"SharedSize", -1},
          {"Size", img.size},
          {"VirtualSize", img.size}};
}

json image_inspect_json(const Image& img, const std::vector<std::string>& lower_dirs) {
  json layers = json::array();
  for (const Digest& d : img.config.diff_ids) layers.push_back(d.str());
  std::string comment = img.config.history.empty() ? "" : img.config.history.back().comment;
  json driver_data = json::object();
  if (!lower_dirs.empty()) {
    driver_data["MergedDir"] = "";
    driver_data["LowerDir"] = base::join(lower_dirs, ":");
  }
  json j = {{"Id", img.id.str()},
            {"RepoTags", img.repo_tags},
            {"RepoDigests", img.repo_digests},
            {"Parent", ""},
            {"Comment", comment},
            {"Created", img.config.created.empty() ? base::format_rfc3339_nano(img.created_ns) : img.config.created},
            {"Container", ""},
            {"ContainerConfig", docker_config_json({})},
            {"DockerVersion", ""},
            {"Author", img.config.author},
            {"Config", docker_config_json(img.config.config)},
            {"Architecture", img.config.architecture},
            {"Os", img.config.os},
            {"Size", img.size},
            {"VirtualSize", img.size},
            {"GraphDriver", {{"Data", driver_data}, {"Name", "overlay2"}}},
            {"RootFS", {{"Type", "layers"}, {"Layers", layers}}},
            {"Metadata", {{"LastTagTime", "0001-01-01T00:00:00Z"}}}};
  if (!img.config.variant.empty()) j["Variant"] = img.config.variant;
  return j;
}

json history_json(const std::vector<HistoryEntry>& entries) {
  json out = json::array();
  for (const HistoryEntry& e : entries)
    out.push_back({{"Comment", e.comment},
                   {"Created", e.created_ns / 1000000000},
                   {"CreatedBy", e.created_by},
                   {"Id", e.id},
                   {"Size", e.size},
                   {"Tags", e.tags.empty() ? json(nullptr) : json(e.tags)}});
  return out;
}

json removed_json(const std::vector<RemovedItem>& items) {
  json out = json::array();
  for (const RemovedItem& it : items) {
    if (!it.untagged.empty()) out.push_back({{"Untagged", it.untagged}});
    if (!it.deleted.empty()) out.push_back({{"Deleted", it.deleted}});
  }
  return out;
}

}  // namespace engine::image
