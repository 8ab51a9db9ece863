#include "engine/events/bus.h"

#include <algorithm>
#include <chrono>

#include "engine/base/time.h"

namespace engine::events {

nlohmann::json Event::to_json() const {
  nlohmann::json attrs = nlohmann::json::object();
  for (const auto& [k, v] : attributes) attrs[k] = v;
  nlohmann::json j = {{"Type", type},
                      {"Action", action},
                      {"Actor", {{"ID", id}, {"Attributes", attrs}}},
                      {"scope", "local"},
                      {"time", time_ns / 1000000000LL},
                      {"timeNano", time_ns}};
  if (type == "container") {
    // Fields older clients (docker-compose v1) still read.
    j["status"] = action;
    j["id"] = id;
    if (auto it = attributes.find("image"); it != attributes.end()) j["from"] = it->second;
  }
  return j;
}

bool EventBus::Subscription::next(Event& out, int timeout_ms) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return !queue_.empty() || closed_; }))
    return false;
  if (queue_.empty()) return false;
  out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

EventBus::~EventBus() {
  std::lock_guard lock(mu_);
  for (auto& s : subs_) {
    std::lock_guard sl(s->mu_);
    s->closed_ = true;
    s->cv_.notify_all();
  }
}

void EventBus::publish(Event e) {
  if (e.time_ns == 0) e.time_ns = engine::base::now_ns();
  std::lock_guard lock(mu_);
  history_.push_back(e);
  if (history_.size() > history_cap_) history_.pop_front();
  for (auto& s : subs_) {
    std::lock_guard sl(s->mu_);
    // A reader that stopped reading must not grow without bound.
    if (s->queue_.size() < 65536) s->queue_.push_back(e);
    s->cv_.notify_one();
  }
}

std::shared_ptr<EventBus::Subscription> EventBus::subscribe() {
  auto s = std::make_shared<Subscription>();
  std::lock_guard lock(mu_);
  subs_.push_back(s);
  return s;
}

void EventBus::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

std::vector<Event> EventBus::history(int64_t since_ns, int64_t until_ns) const {
  std::lock_guard lock(mu_);
  std::vector<Event> out;
  for (const auto& e : history_)
    if (e.time_ns >= since_ns && (until_ns == 0 || e.time_ns < until_ns)) out.push_back(e);
  return out;
}

}  // namespace engine::events
