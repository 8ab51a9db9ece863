#pragma once
/// Profiles stage: services without `profiles` are always on; others only when one of
/// their profiles is active ("*" activates all). A service named on the command line
/// switches its profiles on, and so do the services it depends on.
#include <map>
#include <string>
#include <vector>

#include "compose/load/node.h"

namespace compose::load {

/// Services switched off by profiles: name -> its profiles.
using DisabledServices = std::map<std::string, std::vector<std::string>>;

/// Removes inactive services from root (recorded in disabled when given); returns the
/// active profile list (sorted, unique).
std::vector<std::string> apply_profiles(Node& root, std::vector<std::string> profiles,
                                        const std::vector<std::string>& named_services,
                                        DisabledServices* disabled = nullptr);

}  // namespace compose::load
