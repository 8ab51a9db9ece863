#pragma once
/// LinkReaper: deletes links on a thread of its own. RTM_DELLINK returns only after the
/// kernel's RCU grace periods (20-30 ms for a veth pair), which a container's exit should not
/// wait for; the owner keeps what the link held (its address) until done() says it is gone.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace net {

class LinkReaper {
 public:
  /// done(ifindex) runs on the reaper's thread once the link is gone (deleted, or already
  /// gone with its namespace); it may take the owner's locks.
  explicit LinkReaper(std::function<void(int ifindex)> done);
  /// Deletes what is still queued, then stops: nothing queued is left behind.
  ~LinkReaper();
  LinkReaper(const LinkReaper&) = delete;
  LinkReaper& operator=(const LinkReaper&) = delete;

  /// Queues the link with this ifindex for deletion (an ifindex is not reused for a new link
  /// while the kernel has indexes left, so a later link of the same name is never hit).
  void remove(int ifindex);

 private:
  void run();

  std::function<void(int)> done_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> queue_;
  bool stop_ = false;
  std::thread thread_;  ///< started by the first remove()
};

}  // namespace net
