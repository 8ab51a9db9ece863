#include "engine/daemon/daemon.h"

#include "engine/api/event_routes.h"
#include "engine/api/router.h"
#include "engine/api/server.h"
#include "engine/api/system_routes.h"
#include "engine/api/volume_routes.h"
#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/daemon/root_lock.h"
#include "engine/events/bus.h"
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
};

Daemon::Daemon() : impl_(std::make_unique<Impl>()) {}
Daemon::~Daemon() = default;

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

  auto id = daemon_id(opts.root);
  if (!id) return id.take_error();
  s.facts.version = BERTH_VERSION;
  s.facts.git_commit = BERTH_GIT_COMMIT;
  s.facts.root_dir = opts.root;
  s.facts.daemon_id = *id;
  s.facts.started_ns = now_ns();
  api::add_system_routes(s.router, s.facts);
  api::add_event_routes(s.router, &s.events);

  auto volumes = volume::VolumeStore::open(opts.root);
  if (!volumes) return volumes.take_error();
  s.volumes = std::move(*volumes);
  // Until containers exist in this daemon, no volume is in use.
  api::add_volume_routes(s.router, {s.volumes.get(), &s.events, [](const std::string&) { return std::vector<std::string>{}; }});

  s.server = std::make_unique<api::Server>(s.router);
  for (const auto& host : opts.hosts) {
    if (auto st = s.server->listen(host); !st) return st.take_error();
  }
  log_info("berthd " + s.facts.version + " listening on " + join(opts.hosts, ", ") + " (root " + opts.root + ")");
  return d;
}

void Daemon::serve() { impl_->server->run(); }

void Daemon::shutdown() {
  if (impl_->server) impl_->server->stop();
}

}  // namespace engine::daemon
