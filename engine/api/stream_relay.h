#pragma once
/// Copying bytes between a hijacked client connection and a container's streams.
#include <functional>
#include <string>

namespace engine::api {

/// Writes all of data to fd (blocking); false when the peer is gone.
bool write_fd(int fd, std::string_view data);

/// Relays until the container side ends: frames read from `frames_fd` (Docker's multiplexed
/// format) go to `client` (as frames, or raw payload when `tty`); bytes from the client go to
/// `stdin_fd` (when >= 0; the relay owns it and closes it when the client half-closes or at the end). `pending` is client input
/// already read with the request. Returns when frames_fd reaches EOF or the client goes away.
void relay_attach(int client, int frames_fd, int stdin_fd, bool tty, const std::string& pending,
                  const std::function<void()>& on_stdin_closed = {});

/// Relays an exec's own pipes: stdout/stderr (raw, framed unless tty) to the client,
/// client input to stdin_fd. Returns when the process's output fds reach EOF.
void relay_exec(int client, int stdout_fd, int stderr_fd, int stdin_fd, bool tty, const std::string& pending);

}  // namespace engine::api
