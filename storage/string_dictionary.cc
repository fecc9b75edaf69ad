#include "storage/string_dictionary.h"

namespace mua {

uint32_t StringDictionary::GetOrAdd(absl::string_view value) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = codes_.find(value);
    if (it != codes_.end()) return it->second;
  }
  absl::MutexLock lock(&mu_);
  auto it = codes_.find(value);
  if (it != codes_.end()) return it->second;
  const absl::string_view stored = arena_.Add(value);
  const uint32_t code = values_.Append(stored);
  codes_.emplace(stored, code);
  return code;
}

std::optional<uint32_t> StringDictionary::Find(absl::string_view value) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = codes_.find(value);
  if (it == codes_.end()) return std::nullopt;
  return it->second;
}

size_t StringDictionary::memory_bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  return sizeof(*this) + codes_.capacity() * (sizeof(absl::string_view) + sizeof(uint32_t) + 1) +
         arena_.memory_bytes() + values_.memory_bytes();
}

}  // namespace mua
