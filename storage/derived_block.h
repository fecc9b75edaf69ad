// Values the query layer derives from one sealed block's rows and keeps beside the
// segment, so later scans read them instead of recomputing: JSON properties
// extracted into typed columns (query/operators/property_columns.h). A sealed block
// never changes, so a kept value stays exact for the segment's life; a rewritten
// segment (erasure) starts with none.
//
// Memory: every kept value counts against one process-wide budget
// (SetDerivedBlockBudget); past it, values are computed and not kept.
//
//   auto value = snapshot.FindDerived(ref, key);
//   if (value == nullptr) snapshot.KeepDerived(ref, key, Compute());
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace mua {

class DerivedBlock {
 public:
  virtual ~DerivedBlock() = default;
  // Heap bytes held, counted against the budget while kept.
  virtual size_t memory_bytes() const = 0;
};

// The bytes all kept derived values may hold together (default 256 MiB; 0: keep none).
void SetDerivedBlockBudget(uint64_t bytes);
// The bytes they hold now.
uint64_t DerivedBlockBytes();

// One segment's kept values, by (block, key). Thread-safe. Shared by the copies of a
// segment that hold the same rows (a segment whose columns went cold).
class DerivedBlockCache {
 public:
  DerivedBlockCache() = default;
  ~DerivedBlockCache();
  DerivedBlockCache(const DerivedBlockCache&) = delete;
  DerivedBlockCache& operator=(const DerivedBlockCache&) = delete;

  std::shared_ptr<const DerivedBlock> Find(uint32_t block, const std::string& key) const;
  // Keeps `value` unless the budget is spent or one is kept already (the first stays).
  void Keep(uint32_t block, const std::string& key, std::shared_ptr<const DerivedBlock> value);
  uint64_t bytes() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::pair<uint32_t, std::string>, std::shared_ptr<const DerivedBlock>> values_
      ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua
