#pragma once
/// A bounded in-process chunk queue between two threads (a pipe without the kernel copies).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace engine::image {

/// A bounded in-process chunk queue from the download thread to the unpacker (a pipe
/// without the kernel copies): push() copies a chunk into a recycled buffer and blocks
/// while `limit` bytes are queued; next() hands the unpacker the oldest chunk in place
/// (valid until its next call). Once the reader has stopped, pushes are dropped.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t limit) : limit_(limit) {}
  /// Copies a chunk in; returns false (dropping it) once the reader has stopped.
  bool push(const char* p, size_t n) {
    std::string buf;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queued_ < limit_ || reader_gone_; });
      if (reader_gone_) return false;
      if (!free_.empty()) {
        buf = std::move(free_.back());
        free_.pop_back();
      }
      queued_ += n;
    }
    buf.assign(p, n);  // outside the lock: the unpacker goes on meanwhile
    std::lock_guard lock(mu_);
    chunks_.push_back(std::move(buf));
    cv_.notify_all();
    return true;
  }
  /// No more chunks will come.
  void close_writer() {
    std::lock_guard lock(mu_);
    writer_done_ = true;
    cv_.notify_all();
  }
  /// The reader stops: queued chunks are dropped and push() no longer blocks.
  void close_reader() {
    std::lock_guard lock(mu_);
    reader_gone_ = true;
    chunks_.clear();
    cv_.notify_all();
  }
  /// The next chunk (valid until the next call), or an empty view once the writer is done
  /// (or the reader has stopped).
  std::string_view next() {
    std::unique_lock lock(mu_);
    if (!current_.empty()) {  // the previous chunk is consumed: recycle its buffer
      queued_ -= current_.size();
      free_.push_back(std::move(current_));
      current_.clear();
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return !chunks_.empty() || writer_done_ || reader_gone_; });
    if (chunks_.empty()) return std::string_view();
    current_ = std::move(chunks_.front());
    chunks_.pop_front();
    return std::string_view(current_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  std::vector<std::string> free_;  ///< consumed buffers, reused by push()
  std::string current_;            ///< the chunk the reader holds
  size_t queued_ = 0;              ///< bytes in chunks_ (also counted while pushed or held)
  size_t limit_;
  bool writer_done_ = false, reader_gone_ = false;
};

}  // namespace engine::image
