#pragma once
/// Container record → runtime ContainerSpec (process, rootfs, mounts, namespaces,
/// cgroup resources, security). Pure: the caller supplies layers, netns and files.
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/container/record.h"
#include "engine/runtime/spec.h"

namespace engine::container {

struct SpecInputs {
  std::vector<std::string> lowerdirs;  ///< image layers, top first
  std::string netns_path;              ///< "" = host network
  std::string hosts, resolv_conf;      ///< file contents ("" = leave the image's)
  /// Paths of namespaces to join ("pid" -> /proc/N/ns/pid) from container:X modes.
  std::vector<runtime::NamespaceSpec> joins;
  std::vector<std::string> host_namespaces;  ///< types shared with the host (pid, ipc, uts)
};

base::Result<runtime::ContainerSpec> build_spec(const Container& c, const SpecInputs& in);

}  // namespace engine::container
