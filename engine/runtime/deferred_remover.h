#pragma once
/// DeferredRemover: deletes directory trees on one background thread, so a caller can take a
/// tree out of sight with a rename and return at once (removing a just-exited container's
/// overlay upper/work dirs costs tens of milliseconds, on `run --rm`'s critical path).
/// The destructor finishes the queue, so nothing is left behind by an orderly exit.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace engine::runtime {

class DeferredRemover {
 public:
  DeferredRemover() = default;
  DeferredRemover(const DeferredRemover&) = delete;
  DeferredRemover& operator=(const DeferredRemover&) = delete;
  /// Removes everything still queued, then stops the thread.
  ~DeferredRemover();
  /// Queues PATH for removal (starts the thread on first use).
  void remove(std::string path);
  /// Blocks until the queue is empty (tests, shutdown).
  void drain();

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  int busy_ = 0;
  std::thread worker_;
};

}  // namespace engine::runtime
