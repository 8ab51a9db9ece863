#pragma once
/// Unix-socket helpers: passing file descriptors with SCM_RIGHTS and whole-buffer I/O.
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::sys {

/// Sends DATA (at least one byte) with FDS attached as SCM_RIGHTS.
base::Status send_fds(int sock, std::string_view data, const std::vector<int>& fds);
/// Receives up to MAX bytes and any passed fds (all made O_CLOEXEC). Empty data means EOF.
base::Result<std::string> recv_fds(int sock, size_t max, std::vector<base::UniqueFd>* fds);
/// write(2) until all of DATA is written (retries EINTR). A closed reader gives EPIPE, never
/// SIGPIPE: the signal is blocked for the calling thread while writing.
base::Status write_all(int fd, std::string_view data);
/// Reads one '\n'-terminated line (without the newline) byte by byte; EOF before newline is an error.
base::Result<std::string> read_line(int fd, size_t max = 65536);
/// Connects a SOCK_STREAM unix socket to PATH (O_CLOEXEC).
base::Result<base::UniqueFd> connect_unix(const std::string& path);
/// Creates a listening SOCK_STREAM unix socket at PATH (replacing a stale one).
base::Result<base::UniqueFd> listen_unix(const std::string& path);

}  // namespace engine::sys
