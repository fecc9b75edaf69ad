// Invariant checks for bugs (never for bad input, which returns absl::Status).
// MUA_CHECK is always on; MUA_DCHECK only in builds without NDEBUG.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace mua::base_internal {
[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition,
                                     const char* message) {
  std::fprintf(stderr, "%s:%d: MUA_CHECK failed: %s: %s\n", file, line, condition, message);
  std::abort();
}
}  // namespace mua::base_internal

#define MUA_CHECK(condition, message)                                                   \
  do {                                                                                  \
    if (!(condition)) [[unlikely]] {                                                    \
      ::mua::base_internal::CheckFailed(__FILE__, __LINE__, #condition, (message));     \
    }                                                                                   \
  } while (false)

#ifdef NDEBUG
#define MUA_DCHECK(condition, message) \
  do {                                 \
  } while (false && (condition))
#else
#define MUA_DCHECK(condition, message) MUA_CHECK(condition, message)
#endif
