// CollectOutput: everything a mua-gen writer (WriteJsonLines, WriteClickHouseTsv)
// produces for `options`, as one string, in small chunks (so chunking is exercised).
//
//   JsonLinesStats stats;
//   const std::string text = CollectOutput(WriteJsonLines, options, &stats);
#pragma once

#include <string>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/json_writer.h"

namespace mua::gen {

template <typename Writer>
std::string CollectOutput(Writer write, const GeneratorOptions& options, JsonLinesStats* stats = nullptr) {
  std::string out;
  auto result = write(
      options,
      [&out](std::string& chunk) {
        out.append(chunk);
        return absl::OkStatus();
      },
      size_t{1} << 16);
  EXPECT_OK(result);
  if (stats != nullptr && result.ok()) *stats = *result;
  return out;
}

}  // namespace mua::gen
