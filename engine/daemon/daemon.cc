#include "engine/daemon/daemon.h"

#include "engine/api/container_routes.h"
#include "engine/api/event_routes.h"
#include "engine/api/build_routes.h"
#include "engine/api/image_routes.h"
#include "engine/api/network_routes.h"
#include "engine/api/router.h"
#include "engine/api/server.h"
#include "engine/api/system_routes.h"
#include "engine/api/volume_routes.h"
#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/daemon/root_lock.h"
#include "engine/container/manager.h"
#include "engine/events/bus.h"
#include "engine/image/service.h"
#include "engine/runtime/runtime.h"
#include "net/bridge_attacher.h"
#include "engine/volume/volume_store.h"

namespace engine::daemon {

using namespace engine::base;

struct Daemon::Impl {
  DaemonOptions opts;
  std::optional<RootLock> lock;
  api::Router router;
  std::unique_ptr<api::Server> server;
  api::SystemFacts facts;
  events::EventBus events;
  std::unique_ptr<volume::VolumeStore> volumes;
  std::unique_ptr<image::ImageService> images;
  std::unique_ptr<runtime::Runtime> runtime;
  std::unique_ptr<NetworkAttacher> network;
  std::unique_ptr<container::Manager> containers;
};

Daemon::Daemon() : impl_(std::make_unique<Impl>()) {}
Daemon::~Daemon() {
  // Containers keep running (live restore): stop watching them before the services they use go.
  if (impl_) impl_->containers.reset();
}

static Result<std::string> daemon_id(const std::string& root) {
  std::string path = root + "/daemon-id";
  if (auto id = read_file(path); id && !trim(*id).empty()) return std::string(trim(*id));
  std::string id = random_hex(64);
  BERTH_TRY(write_file_atomic(path, id + "\n", 0600));
  return id;
}

Result<std::unique_ptr<Daemon>> Daemon::start(const DaemonOptions& opts) {
  std::unique_ptr<Daemon> d(new Daemon());
  Impl& s = *d->impl_;
  s.opts = opts;
  // Why first: two daemons on one root would corrupt each other's state.
  auto lock = RootLock::acquire(opts.root);
  if (!lock) return lock.take_error();
  s.lock.emplace(std::move(*lock));
  BERTH_TRY(make_dirs(opts.exec_root, 0711));
  // Why second: a live daemon on one of the sockets must be refused before anything is
  // touched on the host (bridges, nftables). Nothing is served until serve() runs.
  api::ServerOptions sopts;
  sopts.tls = opts.tls;
  s.server = std::make_unique<api::Server>(s.router, sopts);
  for (const auto& host : opts.hosts) {
    if (auto st = s.server->listen(host); !st) return st.take_error();
  }

  auto id = daemon_id(opts.root);
  if (!id) return id.take_error();
  s.facts.version = BERTH_VERSION;
  s.facts.git_commit = BERTH_GIT_COMMIT;
  s.facts.root_dir = opts.root;
  s.facts.daemon_id = *id;
  s.facts.started_ns = now_ns();
  api::add_event_routes(s.router, &s.events);

  auto volumes = volume::VolumeStore::open(opts.root);
  if (!volumes) return volumes.take_error();
  s.volumes = std::move(*volumes);
  auto images = image::ImageService::open(opts.root + "/image");
  if (!images) return images.take_error().wrap("open image store");
  s.images = std::move(*images);
  s.runtime = runtime::make_linux_runtime(opts.root + "/runtime");

  NetworkOptions nopts;
  nopts.state_dir = opts.root + "/network";
  nopts.run_dir = opts.exec_root;
  nopts.nft_table = opts.nft_table;
  nopts.default_bridge = opts.bridge;
  s.network = net::make_bridge_network_attacher(nopts);

  container::ManagerDeps deps{opts.root, s.runtime.get(), s.images.get(), s.volumes.get(), s.network.get(), &s.events};
  // Why before listening: re-adopt running containers and settle networking first.
  auto containers = container::Manager::open(deps);
  if (!containers) return containers.take_error().wrap("open containers");
  s.containers = std::move(*containers);
  container::Manager* mgr = s.containers.get();

  api::add_volume_routes(s.router, {s.volumes.get(), &s.events, [mgr](const std::string& n) { return mgr->volume_users(n); }});
  api::add_container_routes(s.router, mgr);
  api::add_network_routes(s.router, {s.network.get(), mgr, &s.events});
  image::ImageService* img = s.images.get();
  s.facts.extend_info = [mgr, img](nlohmann::json& info) {
    auto n = mgr->counts();
    info["Containers"] = n[0];
    info["ContainersRunning"] = n[1];
    info["ContainersPaused"] = n[2];
    info["ContainersStopped"] = n[3];
    if (auto list = img->list(); list) info["Images"] = list->size();
  };

  api::add_system_routes(s.router, s.facts);

  api::add_image_routes(s.router, {s.images.get(), &s.events, [mgr](const image::Digest& id) { return !mgr->image_users(id.str()).empty(); }});

  api::add_build_routes(s.router, {s.images.get(), s.runtime.get(), opts.root + "/runtime", opts.root + "/build"});

  log_info("berthd " + s.facts.version + " listening on " + join(opts.hosts, ", ") + " (root " + opts.root + ")");
  return d;
}

void Daemon::serve() { impl_->server->run(); }

void Daemon::shutdown() {
  if (impl_->server) impl_->server->stop();
}

}  // namespace engine::daemon
