#include "net/link_reaper.h"

#include "engine/base/log.h"
#include "net/netlink.h"

namespace net {

LinkReaper::LinkReaper(std::function<void(int ifindex)> done) : done_(std::move(done)) {}

LinkReaper::~LinkReaper() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LinkReaper::remove(int ifindex) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(ifindex);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_all();
}

void LinkReaper::run() {
  NetlinkSocket sk;
  for (;;) {
    int ifindex;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      ifindex = queue_.front();
      queue_.pop_front();
    }
    if (!sk.get()) {
      auto s = NetlinkSocket::open();
      if (s) sk = std::move(*s);
    }
    engine::base::Status st = sk.get() ? delete_link_index(sk, ifindex)
                                       : engine::base::internal("no netlink socket");
    // Why log and go on: a link that cannot be deleted now is deleted by reconcile (by name)
    // at the next daemon start; its address stays taken until then.
    if (!st) {
      engine::base::log_warn("delete link #" + std::to_string(ifindex) + ": " + st.error().str());
      continue;
    }
    done_(ifindex);
  }
}

}  // namespace net
