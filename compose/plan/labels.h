#pragma once
/// The labels and names compose gives engine objects, exactly as Docker Compose does, so
/// docker tooling sees berth's stacks as compose stacks (and the other way round).
#include <string>
#include <string_view>

namespace compose::plan {

inline constexpr std::string_view kLabelProject = "com.docker.compose.project";
inline constexpr std::string_view kLabelService = "com.docker.compose.service";
inline constexpr std::string_view kLabelNumber = "com.docker.compose.container-number";
inline constexpr std::string_view kLabelConfigHash = "com.docker.compose.config-hash";
inline constexpr std::string_view kLabelOneoff = "com.docker.compose.oneoff";
inline constexpr std::string_view kLabelDependsOn = "com.docker.compose.depends_on";
inline constexpr std::string_view kLabelWorkingDir = "com.docker.compose.project.working_dir";
inline constexpr std::string_view kLabelConfigFiles = "com.docker.compose.project.config_files";
inline constexpr std::string_view kLabelImage = "com.docker.compose.image";
inline constexpr std::string_view kLabelNetwork = "com.docker.compose.network";
inline constexpr std::string_view kLabelVolume = "com.docker.compose.volume";
inline constexpr std::string_view kLabelVersion = "com.docker.compose.version";
/// The compose version berth reports in com.docker.compose.version.
inline constexpr std::string_view kComposeVersion = "2.20.0";

/// "<project>-<service>-<n>" (Docker Compose v2 naming).
inline std::string container_name(const std::string& project, const std::string& service, int number) {
  return project + "-" + service + "-" + std::to_string(number);
}

/// "key=value" label filter.
inline std::string label_filter(std::string_view key, const std::string& value) {
  return std::string(key) + "=" + value;
}

}  // namespace compose::plan
