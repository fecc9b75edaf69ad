#include "storage/derived_block.h"

#include <atomic>

namespace mua {
namespace {

std::atomic<uint64_t> budget{uint64_t{256} << 20};
std::atomic<uint64_t> kept_bytes{0};

}  // namespace

void SetDerivedBlockBudget(uint64_t bytes) { budget.store(bytes); }
uint64_t DerivedBlockBytes() { return kept_bytes.load(); }

DerivedBlockCache::~DerivedBlockCache() { kept_bytes.fetch_sub(bytes_); }

std::shared_ptr<const DerivedBlock> DerivedBlockCache::Find(uint32_t block, const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(std::make_pair(block, key));
  return it == values_.end() ? nullptr : it->second;
}

void DerivedBlockCache::Keep(uint32_t block, const std::string& key, std::shared_ptr<const DerivedBlock> value) {
  const uint64_t bytes = value->memory_bytes() + sizeof(value) + key.size() + 64;
  // Reserve first: concurrent scans of other segments must not overshoot the budget together.
  if (kept_bytes.fetch_add(bytes) + bytes > budget.load()) {
    kept_bytes.fetch_sub(bytes);
    return;
  }
  absl::MutexLock lock(&mu_);
  if (!values_.try_emplace(std::make_pair(block, key), std::move(value)).second) {
    kept_bytes.fetch_sub(bytes);
    return;
  }
  bytes_ += bytes;
}

uint64_t DerivedBlockCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace mua
