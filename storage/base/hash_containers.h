// HashMap / HashSet: absl::flat_hash_map / flat_hash_set for code that runs inside a
// query (MemoryTracker). Abseil's tables are not exception-safe while they grow (a
// failed allocation in the middle of a rehash leaves the table unusable, and its
// destructor then reads freed memory), so their allocations never throw
// MemoryLimitExceeded: one past the limit is taken and marks the query's tracker
// exceeded, and the query stops with error 241 at its next check (CheckMemory).
//
//   HashMap<uint32_t, int64_t> counts;   // instead of absl::flat_hash_map<uint32_t, int64_t>
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "storage/base/memory_tracker.h"

namespace mua {

template <class T>
struct NonThrowingLimitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = NonThrowingLimitAllocator<U>;
  };
  NonThrowingLimitAllocator() = default;
  template <class U>
  NonThrowingLimitAllocator(const NonThrowingLimitAllocator<U>&) {}  // NOLINT: allocators convert

  T* allocate(std::size_t n) {
    const MemoryLimitDeferral deferral;
    return std::allocator<T>::allocate(n);
  }
};

template <class K, class V, class Hash = typename absl::flat_hash_map<K, V>::hasher,
          class Eq = typename absl::flat_hash_map<K, V>::key_equal>
using HashMap = absl::flat_hash_map<K, V, Hash, Eq, NonThrowingLimitAllocator<std::pair<const K, V>>>;

template <class K, class Hash = typename absl::flat_hash_set<K>::hasher,
          class Eq = typename absl::flat_hash_set<K>::key_equal>
using HashSet = absl::flat_hash_set<K, Hash, Eq, NonThrowingLimitAllocator<K>>;

}  // namespace mua
