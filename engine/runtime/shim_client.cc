#include "engine/runtime/shim_client.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "engine/sys/fd_passing.h"

namespace engine::runtime {

using base::Result;
using base::UniqueFd;

Result<UniqueFd> connect_shim(const std::string& bundle) {
  std::string path = bundle + "/shim.sock";
  if (path.size() < 100) return sys::connect_unix(path);
  // Too long for sun_path: reach it through an O_PATH fd of the bundle.
  UniqueFd dir(::open(bundle.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return base::sys_error("open " + bundle);
  auto fd = sys::connect_unix("/proc/self/fd/" + std::to_string(dir.get()) + "/shim.sock");
  if (!fd) return base::sys_error("connect " + path, fd.error().sys_errno);
  return fd;
}

Result<std::string> shim_request(const std::string& bundle, const std::string& line, int timeout_ms) {
  auto fd = connect_shim(bundle);
  if (!fd) return base::make_error(base::Code::Unavailable, fd.error().str());
  BERTH_TRY(sys::write_all(fd->get(), line + "\n"));
  if (timeout_ms >= 0) {
    pollfd p{fd->get(), POLLIN, 0};
    int n;
    do n = ::poll(&p, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n == 0) return base::make_error(base::Code::Unavailable, "timed out waiting for the shim");
  }
  auto reply = sys::read_line(fd->get());
  if (!reply) return base::make_error(base::Code::Unavailable, "shim closed the connection");
  return reply;
}

}  // namespace engine::runtime
