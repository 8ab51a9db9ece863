#pragma once
/// RootView: a container's filesystem opened for docker cp. A running container's root is
/// its init's /proc/<pid>/root (volumes included, as the container sees them); a stopped
/// or created one gets a temporary overlay mount of its layers and writable layer, with
/// its volumes and binds mounted inside, removed again when the view is destroyed.
#include <functional>
#include <string>

#include "engine/base/unique_fd.h"

namespace engine::container {

struct RootView {
  base::UniqueFd root;            ///< the container's "/" (a directory fd)
  bool read_only = false;         ///< HostConfig.ReadonlyRootfs
  std::string container_id;
  std::function<void()> release;  ///< unmounts what was mounted, unlocks the container

  RootView() = default;
  RootView(const RootView&) = delete;
  RootView& operator=(const RootView&) = delete;
  ~RootView() {
    if (release) release();
  }
};

}  // namespace engine::container
