#include "storage/string_dictionary.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace mua {
namespace {

TEST(StringDictionaryTest, CodesAreDenseInFirstSeenOrder) {
  StringDictionary dictionary;
  EXPECT_EQ(dictionary.GetOrAdd("ios"), 0u);
  EXPECT_EQ(dictionary.GetOrAdd("android"), 1u);
  EXPECT_EQ(dictionary.GetOrAdd("ios"), 0u);
  EXPECT_EQ(dictionary.GetOrAdd(""), 2u);
  EXPECT_EQ(dictionary.size(), 3u);
  EXPECT_EQ(dictionary.Get(1), "android");
  EXPECT_EQ(dictionary.Get(2), "");
  EXPECT_EQ(dictionary.Find("android"), 1u);
  EXPECT_EQ(dictionary.Find("web"), std::nullopt);
}

TEST(StringDictionaryTest, KeepsBinaryAndLongValues) {
  StringDictionary dictionary;
  const std::string binary("a\0b", 3);
  const std::string long_value(1 << 20, 'x');
  const uint32_t binary_code = dictionary.GetOrAdd(binary);
  const uint32_t long_code = dictionary.GetOrAdd(long_value);
  EXPECT_EQ(dictionary.Get(binary_code), binary);
  EXPECT_EQ(dictionary.Get(long_code), long_value);
  EXPECT_NE(dictionary.GetOrAdd("a"), binary_code);
}

TEST(StringDictionaryTest, ViewsStayValidAsItGrows) {
  StringDictionary dictionary;
  std::vector<absl::string_view> views;
  for (int i = 0; i < 100000; ++i) {
    views.push_back(dictionary.Get(dictionary.GetOrAdd("user" + std::to_string(i))));
  }
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(views[i], "user" + std::to_string(i));
  EXPECT_GT(dictionary.memory_bytes(), 100000u * 8);
}

TEST(StringDictionaryTest, ConcurrentReadersWhileAdding) {
  StringDictionary dictionary;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 50000; ++i) dictionary.GetOrAdd(std::to_string(i));
    done = true;
  });
  while (!done) {
    const uint32_t size = dictionary.size();
    for (uint32_t code = size > 100 ? size - 100 : 0; code < size; ++code) {
      ASSERT_EQ(dictionary.Get(code), std::to_string(code));
    }
  }
  writer.join();
  EXPECT_EQ(dictionary.size(), 50000u);
}

}  // namespace
}  // namespace mua
