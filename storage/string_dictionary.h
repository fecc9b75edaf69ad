// StringDictionary: a growing two-way map between strings and dense uint32
// codes (0, 1, 2, ... in order of first appearance). The table keeps one per
// low-cardinality column and one as the user index (user_id -> user number).
// Codes are never reused or reordered, so codes from any snapshot stay valid.
//
//   uint32_t code = dictionary.GetOrAdd("ios");
//   absl::string_view name = dictionary.Get(code);  // "ios"
//
// Thread safety: all methods are safe from any thread; Get is lock-free.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/internal/concurrent_array.h"
#include "storage/internal/string_arena.h"

namespace mua {

class StringDictionary {
 public:
  StringDictionary() = default;
  StringDictionary(const StringDictionary&) = delete;
  StringDictionary& operator=(const StringDictionary&) = delete;

  // The code of `value`, adding it when new.
  uint32_t GetOrAdd(absl::string_view value);

  // The code of `value`, or nullopt when it was never added.
  std::optional<uint32_t> Find(absl::string_view value) const;

  // REQUIRES: code < size().
  absl::string_view Get(uint32_t code) const { return values_.Get(code); }

  uint32_t size() const { return values_.size(); }

  // Bytes held: hash index, code array and string bytes.
  size_t memory_bytes() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<absl::string_view, uint32_t> codes_ ABSL_GUARDED_BY(mu_);
  storage_internal::StringArena arena_ ABSL_GUARDED_BY(mu_);
  storage_internal::ConcurrentAppendArray<absl::string_view> values_;
};

}  // namespace mua
