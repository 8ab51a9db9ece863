#pragma once
/// engine::security rlimits: Docker-style ulimit strings ("nofile=1024:2048") parsed before
/// fork and applied in the container init.
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::security {

/// One resource limit. soft/hard use RLIM_INFINITY for "unlimited" (-1).
struct Rlimit {
  int resource = 0;  ///< RLIMIT_*
  uint64_t soft = 0;
  uint64_t hard = 0;
  std::string name;  ///< Docker's name ("nofile")
};

/// Parses "name=soft[:hard]" (Docker names: core, cpu, data, fsize, locks, memlock, msgqueue, nice,
/// nofile, nproc, rss, rtprio, rttime, sigpending, stack; values are integers or -1 for unlimited).
/// A missing hard equals soft, as Docker. InvalidArgument naming the ulimit on bad input.
engine::base::Result<Rlimit> parse_ulimit(const std::string& spec);

/// Parses several ulimits; a name given twice is an error.
engine::base::Result<std::vector<Rlimit>> parse_ulimits(const std::vector<std::string>& specs);

/// Async-signal-safe core of apply_rlimits: sets each limit with prlimit(2); on failure stores the index
/// in *failed and returns the errno value, else 0.
int apply_rlimits_raw(const Rlimit* limits, size_t n, size_t* failed) noexcept;

/// The error for a refused limit: "setrlimit nofile (soft 1024, hard 4096; current hard 1024):
/// Operation not permitted", naming CAP_SYS_RESOURCE when a hard limit raise was refused.
engine::base::Error rlimit_error(const Rlimit& r, int err);

/// Applies limits in the calling process (the container init). Only the limits asked for change;
/// a refused raise of a hard limit gives rlimit_error.
engine::base::Status apply_rlimits(const std::vector<Rlimit>& limits);

}  // namespace engine::security
