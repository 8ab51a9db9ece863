#pragma once
/// Internal: the two backends behind Manager and the directory bookkeeping they share.
#include <memory>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/cgroup/cgroup.h"

namespace engine::cgroup {

/// v1 controllers (plus the unified cgroup2 dir when hybrid) under root.
engine::base::Result<std::unique_ptr<Manager>> create_v1(const std::string& root, const std::string& rel,
                                                         const Resources& r, bool hybrid);
engine::base::Result<std::unique_ptr<Manager>> open_v1(const std::string& root, const std::string& rel,
                                                       bool hybrid);
/// The single unified hierarchy at root.
engine::base::Result<std::unique_ptr<Manager>> create_v2(const std::string& root, const std::string& rel,
                                                         const Resources& r);
engine::base::Result<std::unique_ptr<Manager>> open_v2(const std::string& root, const std::string& rel);

/// mkdir of each component of hierarchy/rel; appends the directories it made (top-down) to *made.
engine::base::Status make_cgroup_path(const std::string& hierarchy, const std::string& rel,
                                      std::vector<std::string>* made);
/// Removes the leaves, then the parents we made while they are empty (shared parents stay).
engine::base::Status remove_cgroup_paths(const std::vector<std::string>& leaves,
                                         const std::vector<std::string>& made_parents);
/// Opens each v1 leaf's `tasks` for writing and the cgroup2 leaf directory ("" = none).
engine::base::Result<JoinHandles> open_join_handles(const std::vector<std::string>& v1_leaves,
                                                    const std::string& v2_leaf);
/// Sends sig to every pid (ESRCH ignored).
engine::base::Status signal_pids(const std::vector<pid_t>& pids, int sig);
/// Polls read_procs(dir) until it is empty (up to a few seconds).
engine::base::Status wait_empty(const std::string& dir);

}  // namespace engine::cgroup
