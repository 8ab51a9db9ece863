#pragma once
/// EventBus: the daemon's event stream (container start/die, network connect, ...).
/// Publishers call publish(); /events readers subscribe and receive every later event,
/// and can replay the recent past (a bounded ring) for `since`.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace engine::events {

struct Event {
  std::string type;    ///< container, image, network, volume, daemon
  std::string action;  ///< create, start, die, destroy, health_status: healthy, ...
  std::string id;      ///< the actor's ID (container ID, image ref, network ID, volume name)
  std::map<std::string, std::string> attributes;  ///< name, image, exitCode, labels...
  int64_t time_ns = 0;

  /// Docker's /events message shape (Type, Action, Actor, scope, time, timeNano, and the legacy status/id/from).
  nlohmann::json to_json() const;
};

class EventBus {
 public:
  /// One reader's queue; next() blocks until an event arrives or the timeout passes.
  class Subscription {
   public:
    /// false on timeout or when the bus is closed.
    bool next(Event& out, int timeout_ms);

   private:
    friend class EventBus;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> queue_;
    bool closed_ = false;
  };

  explicit EventBus(size_t history = 1024) : history_cap_(history) {}
  ~EventBus();
  /// Stamps time_ns (if 0) and delivers to every subscriber.
  void publish(Event e);
  std::shared_ptr<Subscription> subscribe();
  void unsubscribe(const std::shared_ptr<Subscription>& s);
  /// Recent events with since_ns <= time_ns < until_ns (until 0 = no bound).
  std::vector<Event> history(int64_t since_ns, int64_t until_ns) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_;
  std::deque<Event> history_;
  size_t history_cap_;
};

}  // namespace engine::events
