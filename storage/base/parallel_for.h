// ParallelFor: runs fn(thread, i) for every i in [0, count) on up to `threads`
// threads (the caller's included), items handed out one at a time, so uneven
// items balance. `thread` in [0, threads) indexes per-thread scratch state.
//
//   std::vector<ScanBuffers> buffers(threads);
//   ParallelFor(blocks.size(), threads, [&](int thread, size_t b) { Read(b, &buffers[thread]); });
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "storage/base/memory_tracker.h"

namespace mua {

// One per core, at least one.
inline int DefaultThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// The helper threads count their memory into the caller's MemoryTracker; when one
// of them runs out of it (MemoryLimitExceeded) the others stop taking items and the
// caller rethrows it after all have joined.
inline void ParallelFor(size_t count, int threads, const std::function<void(int thread, size_t i)>& fn) {
  std::atomic<size_t> next{0};
  MemoryTracker* tracker = CurrentMemoryTracker();
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto work = [&](int thread) {
    MemoryTrackerScope scope(tracker);
    try {
      for (size_t i = next++; i < count; i = next++) fn(thread, i);
    } catch (const std::bad_alloc&) {
      if (!failed.exchange(true)) failure = std::current_exception();
      next.store(count);
    }
  };
  std::vector<std::thread> pool;
  {
    MemoryTrackerScope untracked(nullptr);  // starting threads must not throw halfway
    for (int t = 1; t < threads && static_cast<size_t>(t) < count; ++t) pool.emplace_back(work, t);
  }
  work(0);
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mua
