#pragma once
/// The client side of a hijacked stream (run, attach, exec): container output to our
/// stdout/stderr (demultiplexing Docker's frames unless TTY), our stdin to the container.
#include <string>

namespace cli {

/// Relays until the daemon closes the stream. With `tty` and a terminal on stdin, the
/// terminal is put in raw mode for the duration. Returns false if writing output failed.
bool relay_stream(int fd, const std::string& early, bool tty, bool send_stdin);

}  // namespace cli
