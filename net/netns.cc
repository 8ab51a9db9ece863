#include "net/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <thread>

#include "net/netlink.h"

namespace net {

namespace b = engine::base;

b::Status create_netns_file(const std::string& path) {
  b::UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!f) return b::sys_error("create netns file " + path, errno == EEXIST ? EEXIST : errno);
  f.reset();
  b::Status result;
  // unshare() changes only this thread's namespace; the thread ends right after, so no
  // daemon thread is ever left in the new namespace.
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      result = b::sys_error("unshare network namespace");
      return;
    }
    if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      result = b::sys_error("bind-mount netns to " + path);
      return;
    }
    auto sk = NetlinkSocket::open();
    if (!sk) {
      result = sk.take_error();
      return;
    }
    result = link_up(*sk, "lo");
  });
  t.join();
  if (!result.ok()) {
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
  }
  return result;
}

b::Status remove_netns_file(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return b::sys_error("unmount netns " + path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return b::sys_error("remove netns file " + path);
  return {};
}

b::Result<b::UniqueFd> open_netns(const std::string& path) {
  b::UniqueFd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f) return b::sys_error("open netns " + path);
  return f;
}

}  // namespace net
