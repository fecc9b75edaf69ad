// What the string-block codec tests share: a block encoded, decoded and compared (with the
// encoding's name in the failure), and its size per value.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "storage/internal/column_codec.h"
#include "tests/testutil/status_matchers.h"

namespace mua::storage_internal {

// Returns the encoded block, after checking it decodes back to `values` (into storage that
// held something else before).
inline std::string RoundTripStrings(const std::vector<std::string>& values) {
  const std::vector<absl::string_view> views(values.begin(), values.end());
  std::string encoded;
  EncodeStringBlock(views, &encoded);
  std::string storage = "stale";
  std::vector<absl::string_view> back(values.size());
  const absl::Status status = DecodeStringBlock(encoded, &storage, absl::MakeSpan(back));
  EXPECT_OK(status) << EncodingName(encoded);
  EXPECT_EQ(std::vector<std::string>(back.begin(), back.end()), values) << EncodingName(encoded);
  return encoded;
}

inline double BytesPerValue(const std::string& encoded, size_t rows) {
  return static_cast<double>(encoded.size()) / static_cast<double>(rows);
}

}  // namespace mua::storage_internal
