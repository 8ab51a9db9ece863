#include "engine/runtime/deferred_remover.h"

#include "engine/base/fs.h"

namespace engine::runtime {

DeferredRemover::~DeferredRemover() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DeferredRemover::remove(std::string path) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(path));
  if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  cv_.notify_all();
}

void DeferredRemover::drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
}

void DeferredRemover::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ with nothing left
    std::string path = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    (void)base::remove_all(path);
    lock.lock();
    --busy_;
    cv_.notify_all();
  }
}

}  // namespace engine::runtime
