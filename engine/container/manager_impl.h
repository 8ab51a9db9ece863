#pragma once
/// Internals of container::Manager shared by its .cc files (not for other modules).
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "engine/container/manager.h"

namespace engine::container {

/// One container plus what the manager tracks about it.
struct Entry {
  Container c;
  std::mutex op;               ///< serializes lifecycle operations on this container
  uint64_t exits = 0;          ///< bumped at every exit (wait next-exit)
  bool removed = false;
  int pending_attach = 0;      ///< attach requests waiting for the process to exist
  int attached = 0;            ///< of those, how many have attached
  bool runtime_created = false;  ///< the runtime has the process (created or running)
  uint64_t failed_starts = 0;    ///< bumped when a start fails (releases waiting attachers)
  uint64_t runs = 0;             ///< bumped at every start (health checks follow one run)
  bool monitoring = false;
};

struct ExecInstance {
  std::string id, container_id;
  runtime::ExecSpec spec;
  bool attach_stdin = false, attach_stdout = true, attach_stderr = true;
  bool running = false;
  int exit_code = 0;
  bool ended = false;
  int pid = 0;
  int pty_fd = -1;  ///< borrowed while running (resize)
};

struct Manager::Impl {
  ManagerDeps d;
  mutable std::mutex mu;
  std::condition_variable cv;  ///< any state change
  std::map<std::string, std::shared_ptr<Entry>> entries;  ///< by ID
  std::map<std::string, std::string> names;               ///< name -> ID
  std::set<std::string> reserved_names;  ///< names of containers being created (record not yet written)
  std::map<std::string, ExecInstance> execs;
  std::atomic<bool> closing{false};
  std::vector<std::thread> monitors;
  std::mutex monitors_mu;

  std::string dir(const std::string& id) const { return d.root + "/containers/" + id; }
  /// Finds an entry (mu held).
  base::Result<std::shared_ptr<Entry>> find(const std::string& ref) const;
  /// Finds an entry, taking mu for the lookup.
  base::Result<std::shared_ptr<Entry>> lookup(const std::string& ref) const {
    std::lock_guard lock(mu);
    return find(ref);
  }
  /// Writes the record (mu held). DURABLE adds fsync: for what cannot be re-derived (a new
  /// container, a rename); state changes are re-derived from the shims by reconcile().
  void persist(const Container& c, bool durable = false) const;
  /// Writes the record and says whether that worked (persist() logs instead).
  base::Status save(const Container& c, bool durable) const;
  void emit(const Container& c, const std::string& action, std::map<std::string, std::string> extra = {}) const;

  // exec_record.cc: exec instances on disk (<container dir>/execs/<exec id>.json), so a new
  // berthd still knows the execs an earlier one started.
  /// Writes X's record (mu held); nothing once its container is removed.
  void persist_exec(const ExecInstance& x) const;
  /// At open(): loads every exec record and follows the running ones (adopt_exec).
  void load_execs();
  /// Waits (on a monitor thread) for exec EXEC_ID started by an earlier berthd.
  void adopt_exec(const std::string& exec_id);

  // lifecycle.cc
  base::Status start_entry(const std::shared_ptr<Entry>& e, bool from_restart);
  void monitor(std::shared_ptr<Entry> e);
  void spawn_monitor(const std::shared_ptr<Entry>& e);
  /// Runs the container's health check while run `run` lasts (health.cc).
  void health_loop(std::shared_ptr<Entry> e, uint64_t run);
  void spawn_health(const std::shared_ptr<Entry>& e);
  void on_exit(const std::shared_ptr<Entry>& e, const runtime::ContainerState& st);
  void teardown_network(Container& c);
  base::Status stop_entry(const std::shared_ptr<Entry>& e, std::optional<int> timeout_s, const std::string& signal,
                          bool manual);
  base::Status remove_entry(const std::shared_ptr<Entry>& e, bool volumes);
  /// At open(): re-adopts running containers and settles the rest.
  void reconcile();
};

/// A generated container name ("berth_brave_turing"-like, unique among names).
std::string generate_name(const std::map<std::string, std::string>& taken);
/// Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+.
bool valid_container_name(const std::string& name);

}  // namespace engine::container
