#pragma once
/// Resolves "user[:group]" and group_add the way Docker does: numeric ids are taken as
/// is, names are looked up in the container's /etc/passwd and /etc/group (never the host's).
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::process {

/// The identity the container process runs as.
struct ExecUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;  ///< supplementary groups (from /etc/group membership and group_add)
  std::string home = "/";
};

/// Resolves USER ("", "uid", "uid:gid", "name", "name:group") against passwd/group file texts.
base::Result<ExecUser> resolve_user(const std::string& user, const std::vector<std::string>& group_add,
                                    const std::string& passwd_text, const std::string& group_text);
/// Same, reading etc/passwd and etc/group from the first of ROOTS that has them (overlay layers, top first).
base::Result<ExecUser> resolve_user_in_roots(const std::string& user, const std::vector<std::string>& group_add,
                                             const std::vector<std::string>& roots);

}  // namespace engine::process
