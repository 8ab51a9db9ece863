#pragma once
/// Two independent pieces of work on two threads: the loader splits big projects (parse,
/// validation, normalization, conversion, printing) in halves with this.
#include <cstdlib>
#include <exception>
#include <locale>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace compose::model {

namespace detail {
/// Set on both threads of a run_both while they work: work inside them does not split again.
inline thread_local bool in_split = false;

/// Sets in_split for the scope, restoring the old value.
class SplitScope {
 public:
  SplitScope() : saved_(in_split) { in_split = true; }
  ~SplitScope() { in_split = saved_; }
  SplitScope(const SplitScope&) = delete;
  SplitScope& operator=(const SplitScope&) = delete;

 private:
  bool saved_;
};
/// glibc gives the first helper thread a malloc arena of its own (later helpers reuse it)
/// and grows it one page per mprotect call: thousands of system calls for a big tree.
/// Growing it once in big steps, then freeing, keeps its pages reserved for later growth.
inline void warm_arena() {
  static std::once_flag once;
  std::call_once(once, [] {
    constexpr size_t kStep = 96 * 1024, kSteps = 128;  // 12 MiB, below the mmap threshold each
    void* blocks[kSteps];
    for (void*& b : blocks) b = std::malloc(kStep);
    for (void* b : blocks) std::free(b);
  });
}

/// libstdc++ fills the classic ctype<char> facet's narrow and widen caches lazily, on
/// first use, without a lock (GCC PR 77704); std::regex (valijson's "pattern") uses them.
/// Filling them before a second thread starts leaves nothing to race on.
inline void warm_locale() {
  static std::once_flag once;
  std::call_once(once, [] {
    const auto& ct = std::use_facet<std::ctype<char>>(std::locale());
    char all[256], out[256];
    for (int c = 0; c < 256; ++c) {
      all[c] = static_cast<char>(c);
      ct.narrow(all[c], '\0');
    }
    ct.narrow(all, all + 256, '\0', out);
    ct.widen(all, all + 256, out);
  });
}
}  // namespace detail

/// True when a second thread can make things faster: more than one CPU, and not already
/// inside one half of a run_both.
inline bool can_split() { return !detail::in_split && std::thread::hardware_concurrency() >= 2; }

/// Runs second on a new thread while first runs on this one and returns when both are
/// done. Without a second CPU, or when no thread can be started, runs them one after the
/// other. Neither half splits its own work again. An exception of either is rethrown here (first's before second's) once both ended.
template <class First, class Second>
void run_both(First&& first, Second&& second) {
  std::exception_ptr failed;
  auto guarded = [&] {
    detail::SplitScope scope;
    try {
      detail::warm_arena();
      second();
    } catch (...) {
      failed = std::current_exception();
    }
  };
  std::thread t;
  if (can_split()) {
    detail::warm_locale();
    try {
      t = std::thread(guarded);
    } catch (const std::system_error&) {
    }
  }
  try {
    detail::SplitScope scope;
    first();
  } catch (...) {
    if (t.joinable()) t.join();
    throw;
  }
  if (t.joinable()) t.join();
  else guarded();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace compose::model
