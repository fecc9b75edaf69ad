// uniqExact over strings: exact counts when the per-group sets grow past the
// size where they split into parts, and when workers' states merge.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "query/aggregate_function.h"
#include "query/vector.h"

namespace mua {
namespace {

std::unique_ptr<AggregateFunction> UniqExactOfStrings() {
  const AggregateArg arg{DataType::Of(TypeId::kString)};
  absl::StatusOr<std::unique_ptr<AggregateFunction>> aggregate =
      BindAggregateFunction("uniqExact", {}, absl::MakeConstSpan(&arg, 1), false);
  EXPECT_TRUE(aggregate.ok()) << aggregate.status();
  return *std::move(aggregate);
}

// Feeds values "v<first>".."v<last-1>" (each twice, not adjacent) into group `group % 2`
// of `aggregate`, in batches.
void Feed(AggregateFunction* aggregate, int first, int last) {
  std::vector<std::string> storage;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = first; i < last; ++i) storage.push_back(absl::StrCat("v", i));
  }
  aggregate->Resize(2);
  for (size_t begin = 0; begin < storage.size(); begin += 10000) {
    const size_t end = std::min(storage.size(), begin + 10000);
    Vector values;
    values.type = DataType::Of(TypeId::kString);
    std::vector<uint32_t> groups;
    for (size_t i = begin; i < end; ++i) {
      values.strings.push_back(storage[i]);
      groups.push_back(static_cast<uint32_t>((first + (i % (last - first))) % 2));
    }
    values.size = values.strings.size();
    ASSERT_TRUE(aggregate->Update(absl::MakeConstSpan(&values, 1), groups).ok());
  }
}

TEST(DistinctAggregateTest, LargeStringSetsStayExactAcrossSplitAndMerge) {
  auto first = UniqExactOfStrings();
  auto second = first->CloneEmpty();
  Feed(first.get(), 0, 300000);       // 150000 per group: split
  Feed(second.get(), 200000, 230000);  // 15000 per group, 10000 of them new: not split
  auto third = first->CloneEmpty();
  Feed(third.get(), 250000, 450000);  // split; 50000 overlap with `first`

  first->Merge(*second, std::vector<uint32_t>{0, 1});
  first->Merge(*third, std::vector<uint32_t>{0, 1});
  Vector counts;
  first->Finalize(&counts);
  ASSERT_EQ(counts.size, 2u);
  EXPECT_EQ(counts.ints[0], 225000);  // v0..v449999, even ones
  EXPECT_EQ(counts.ints[1], 225000);

  // A small set merged with a split one.
  auto small = first->CloneEmpty();
  Feed(small.get(), 0, 10);
  auto large = first->CloneEmpty();
  Feed(large.get(), 5, 200005);
  small->Merge(*large, std::vector<uint32_t>{0, 1});
  Vector merged;
  small->Finalize(&merged);
  EXPECT_EQ(merged.ints[0] + merged.ints[1], 200005);
}

}  // namespace
}  // namespace mua
