#include "storage/base/json_limits.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::StatusIs;

constexpr size_t kTwoMillion = 2'000'000;

// `depth` nested arrays: [[[...]]].
std::string NestedArrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// `depth` nested objects: {"a":{"a":...1...}}.
std::string NestedObjects(size_t depth) {
  std::string text;
  text.reserve(depth * 6 + 1);
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  text.append(depth, '}');
  return text;
}

TEST(JsonLimitsTest, ParsesAndWritesBackADocumentAtTheLimit) {
  const std::string text = NestedArrays(kMaxJsonDepth);
  rapidjson::Document document;
  ASSERT_OK(ParseJsonBounded(text, &document));
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);  // recursive, but at most kMaxJsonDepth frames
  EXPECT_EQ(std::string(buffer.GetString(), buffer.GetSize()), text);
  EXPECT_OK(CheckJsonBounded(NestedObjects(kMaxJsonDepth)));
}

TEST(JsonLimitsTest, OneLevelTooManyIsRefusedWithItsOffset) {
  rapidjson::Document document;
  const absl::Status status = ParseJsonBounded(NestedArrays(kMaxJsonDepth + 1), &document);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(IsJsonTooDeep(status));
  EXPECT_EQ(status.message(), "JSON nested deeper than 64 levels at offset 64");
  EXPECT_TRUE(document.IsNull());
}

TEST(JsonLimitsTest, TwoMillionOpenBracketsAreACleanError) {
  for (const std::string& text :
       {std::string(kTwoMillion, '['), NestedArrays(kTwoMillion), NestedObjects(kTwoMillion / 5),
        std::string("{\"annotation\":") + std::string(kTwoMillion, '[')}) {
    rapidjson::Document document;
    const absl::Status parsed = ParseJsonBounded(text, &document);
    EXPECT_TRUE(IsJsonTooDeep(parsed)) << parsed;
    EXPECT_TRUE(IsJsonTooDeep(CheckJsonBounded(text)));
  }
}

TEST(JsonLimitsTest, MalformedJsonIsASyntaxErrorNotTooDeep) {
  rapidjson::Document document;
  for (absl::string_view text : {"", "[1,", "{\"a\" 1}", "[1] x", "nul"}) {
    const absl::Status status = ParseJsonBounded(text, &document);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument)) << text;
    EXPECT_FALSE(IsJsonTooDeep(status)) << text;
    EXPECT_TRUE(absl::StartsWith(status.message(), "malformed JSON at offset ")) << status;
  }
}

TEST(JsonLimitsTest, FlagsAndLimitAreTheCallers) {
  rapidjson::Document document;
  // A byte-order mark is skipped, as by Document::Parse.
  ASSERT_OK(ParseJsonBounded("\xEF\xBB\xBF{\"a\":[1,2.5,\"x\",null,true]}", &document));
  ASSERT_TRUE(document.IsObject());
  EXPECT_EQ(document["a"].Size(), 5u);
  // Encoding validation only when asked for.
  const std::string bad_utf8 = "[\"\xff\"]";
  EXPECT_OK(ParseJsonBounded(bad_utf8, &document));
  EXPECT_FALSE(ParseJsonBounded<rapidjson::kParseValidateEncodingFlag>(bad_utf8, &document).ok());
  // A smaller or larger limit.
  EXPECT_TRUE(IsJsonTooDeep(ParseJsonBounded("[[[]]]", &document, 2)));
  EXPECT_OK(ParseJsonBounded(NestedArrays(1000), &document, 1000));
}

}  // namespace
}  // namespace mua
