#pragma once
/// Network namespaces as bind-mounted files (like `ip netns add`), created on a short-lived
/// thread so the daemon's threads never change namespace.
#include <string>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace net {

/// Creates a new network namespace bind-mounted at path, with lo up.
engine::base::Status create_netns_file(const std::string& path);
/// Unmounts (lazily) and unlinks a netns file; missing is success.
engine::base::Status remove_netns_file(const std::string& path);
/// Opens a netns file (O_RDONLY | O_CLOEXEC).
engine::base::Result<engine::base::UniqueFd> open_netns(const std::string& path);

}  // namespace net
