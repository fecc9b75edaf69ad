// Roaring bitmaps inside serialized aggregate states: length-prefixed
// portable Roaring bytes, read with the bounds-checked deserializer.
#pragma once

#include <string>

#include "query/aggregates/state_io.h"
#include "roaring/roaring.h"
#include "storage/user_bitmap.h"

namespace mua::query_internal {

inline void WriteBitmap(const UserBitmap& bitmap, StateWriter& out) {
  std::string bytes(bitmap.getSizeInBytes(true), '\0');
  bitmap.write(bytes.data(), true);
  out.Str(bytes);
}

// Ors the bitmap read from `in` into *into; invalidates `in` when malformed.
inline void ReadBitmapInto(StateReader& in, UserBitmap* into) {
  const absl::string_view bytes = in.Str();
  if (!in.ok()) return;
  if (roaring_bitmap_portable_deserialize_size(bytes.data(), bytes.size()) != bytes.size()) {
    in.Invalidate();
    return;
  }
  roaring_bitmap_t* raw = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
  if (raw == nullptr) {
    in.Invalidate();
    return;
  }
  *into |= UserBitmap(raw);
}

}  // namespace mua::query_internal
