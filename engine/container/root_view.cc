// Manager::open_root: the filesystem of a running or stopped container for docker cp.
#include "engine/container/root_view.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/container/manager_impl.h"
#include "engine/rootfs/secure_path.h"

namespace engine::container {

using namespace engine::base;

namespace {

/// Mounts the container's volumes and binds under MERGED, parents first (as the shim does).
Status mount_volumes(const std::string& merged, std::vector<MountPoint> mounts) {
  std::sort(mounts.begin(), mounts.end(), [](const MountPoint& a, const MountPoint& b) {
    return std::count(a.destination.begin(), a.destination.end(), '/') <
           std::count(b.destination.begin(), b.destination.end(), '/');
  });
  for (const MountPoint& m : mounts) {
    if (m.type == "tmpfs" || m.source.empty()) continue;
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) continue;
    auto target = rootfs::open_in_root(merged, m.destination,
                                       S_ISDIR(st.st_mode) ? rootfs::Create::Dir : rootfs::Create::File);
    if (!target) return target.take_error().wrap("mount " + m.destination);
    if (::mount(m.source.c_str(), rootfs::fd_path(target->get()).c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return sys_error("bind " + m.source + " on " + m.destination);
    if (!m.rw) {
      auto top = rootfs::open_in_root(merged, m.destination, rootfs::Create::None);
      if (!top) return top.take_error();
      if (::mount(nullptr, rootfs::fd_path(top->get()).c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
        return sys_error("remount " + m.destination + " read-only");
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<RootView>> Manager::open_root(const std::string& ref) {
  auto found = impl_->lookup(ref);
  if (!found) return found.take_error();
  std::shared_ptr<Entry> e = *found;
  auto view = std::make_unique<RootView>();
  // A stopped container's writable layer is mounted here: no start until the copy is done.
  auto op = std::make_shared<std::unique_lock<std::mutex>>(e->op);
  Container c;
  {
    std::lock_guard lock(impl_->mu);
    c = e->c;
  }
  view->container_id = c.id;
  view->read_only = c.host_config.value("ReadonlyRootfs", false);
  if (c.is_running() && c.state.pid > 0) {
    op->unlock();
    view->root.reset(::open(("/proc/" + std::to_string(c.state.pid) + "/root").c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!view->root) return sys_error("open the root of container " + c.id.substr(0, 12));
    return view;
  }
  auto img = impl_->d.images->resolve(c.image_id);
  if (!img) return not_found("No such image: " + c.image);
  auto layers = impl_->d.images->layer_dirs(*img);
  if (!layers) return layers.take_error();
  if (layers->empty()) return precondition("container " + c.id.substr(0, 12) + " has no image layers to mount");
  // The same upper/work the runtime uses (it keeps them across restarts).
  std::string bundle = impl_->d.root + "/runtime/" + c.id;
  BERTH_TRY(make_dirs(bundle + "/upper", 0755));
  BERTH_TRY(make_dirs(bundle + "/work", 0755));
  std::string tmpl = impl_->dir(c.id) + "/cp.XXXXXX";
  if (!::mkdtemp(tmpl.data())) return sys_error("make a mountpoint for container " + c.id.substr(0, 12));
  std::string merged = tmpl;
  Rollback rb;
  rb.add([merged] { ::rmdir(merged.c_str()); });
  std::string opts = "lowerdir=" + join(*layers, ":") + ",upperdir=" + bundle + "/upper,workdir=" + bundle + "/work";
  if (::mount("overlay", merged.c_str(), "overlay", 0, opts.c_str()) != 0)
    return sys_error("mount the filesystem of container " + c.id.substr(0, 12));
  rb.add([merged] { ::umount2(merged.c_str(), MNT_DETACH); });
  BERTH_TRY(mount_volumes(merged, c.mounts));
  view->root.reset(::open(merged.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!view->root) return sys_error("open " + merged);
  rb.commit();
  view->release = [merged, op] {
    // Detaching the overlay takes the volume mounts below it along.
    if (::umount2(merged.c_str(), MNT_DETACH) != 0) log_error("unmount " + merged + ": " + std::strerror(errno));
    ::rmdir(merged.c_str());
  };
  return view;
}

}  // namespace engine::container
