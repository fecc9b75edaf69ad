#include "query/interrupt.h"

#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "storage/base/memory_tracker.h"

namespace mua {
namespace {

// (tracker, context) of the running statements, innermost last. A handful of entries
// (one per running statement), so a vector scanned under a lock is enough.
struct Registry {
  absl::Mutex mu;
  std::vector<std::pair<const void*, const ExecutionContext*>> entries ABSL_GUARDED_BY(mu);
};

// Made at static initialization (no statement's tracker counts it), never freed.
Registry* const registry_instance = new Registry;
Registry& Contexts() { return *registry_instance; }

}  // namespace

InterruptScope::InterruptScope(const ExecutionContext* context)
    : tracker_(CurrentMemoryTracker()), context_(context) {
  // Untracked: the registry is shared by every statement, and growing it must not
  // throw MemoryLimitExceeded for the one that happens to register.
  const MemoryTrackerScope untracked(nullptr);
  Registry& registry = Contexts();
  absl::MutexLock lock(&registry.mu);
  registry.entries.emplace_back(tracker_, context_);
}

InterruptScope::~InterruptScope() {
  const MemoryTrackerScope untracked(nullptr);
  Registry& registry = Contexts();
  absl::MutexLock lock(&registry.mu);
  for (size_t i = registry.entries.size(); i-- > 0;) {
    if (registry.entries[i].first == tracker_ && registry.entries[i].second == context_) {
      registry.entries.erase(registry.entries.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
}

absl::Status CheckStatementInterrupted() {
  const void* tracker = CurrentMemoryTracker();
  const ExecutionContext* context = nullptr;
  {
    Registry& registry = Contexts();
    absl::MutexLock lock(&registry.mu);
    for (size_t i = registry.entries.size(); i-- > 0;) {
      if (registry.entries[i].first == tracker) {
        context = registry.entries[i].second;
        break;
      }
    }
  }
  // The context outlives every kernel of its statement, so it may be read unlocked.
  return context != nullptr ? CheckInterrupted(*context) : CheckMemory();
}

}  // namespace mua
