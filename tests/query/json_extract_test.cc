// Golden tests for JSONHas / JSONExtract* (ClickHouse docs examples, nested,
// missing and wrong-type values, malformed input) and SAX == DOM agreement.
#include "query/functions/json_extract.h"

#include <cmath>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace mua::query_internal {
namespace {

using P = JsonPath;
JsonPathStep K(const char* key) { return JsonPathStep::Key(key); }
JsonPathStep I(int64_t index) { return JsonPathStep::Index(index); }

constexpr char kDoc[] = R"({"a": "hello", "b": [-100, 200.0, 300]})";

class JsonExtractTest : public ::testing::Test {
 protected:
  JsonExtractor json_;
};

TEST_F(JsonExtractTest, ClickHouseDocExamples) {
  EXPECT_TRUE(json_.Has(kDoc, P{K("b")}));
  EXPECT_FALSE(json_.Has(kDoc, P{K("b"), I(4)}));
  EXPECT_TRUE(json_.Has(kDoc, P{K("b"), I(3)}));
  EXPECT_EQ(json_.ExtractString(kDoc, P{K("a")}), "hello");
  EXPECT_EQ(json_.ExtractInt(kDoc, P{K("b"), I(1)}), -100);
  EXPECT_EQ(json_.ExtractFloat(kDoc, P{K("b"), I(2)}), 200.0);
  EXPECT_EQ(json_.ExtractInt(kDoc, P{K("b"), I(-1)}), 300);
  EXPECT_EQ(json_.ExtractInt(kDoc, P{K("b"), I(-3)}), -100);
  EXPECT_FALSE(json_.Has(kDoc, P{K("b"), I(-4)}));
  EXPECT_FALSE(json_.Has(kDoc, P{K("b"), I(0)}));
  EXPECT_EQ(json_.ExtractString(kDoc, P{I(1)}), "hello");  // index into an object
  EXPECT_EQ(json_.ExtractString(kDoc, P{I(-1)}), "[-100,200,300]");
  EXPECT_EQ(json_.ExtractString(kDoc, P{I(2)}), "[-100,200,300]");
  EXPECT_EQ(json_.ExtractString(kDoc, P{}), R"({"a":"hello","b":[-100,200,300]})");
  EXPECT_TRUE(json_.Has(kDoc, P{}));
}

TEST_F(JsonExtractTest, NestedAndMissingKeys) {
  const char* doc = R"({"user": {"id": 42, "tags": ["x", "y"], "geo": {"country": "DE"}}})";
  EXPECT_EQ(json_.ExtractInt(doc, P{K("user"), K("id")}), 42);
  EXPECT_EQ(json_.ExtractString(doc, P{K("user"), K("geo"), K("country")}), "DE");
  EXPECT_EQ(json_.ExtractString(doc, P{K("user"), K("tags"), I(2)}), "y");
  EXPECT_EQ(json_.ExtractString(doc, P{K("user"), K("tags"), I(-2)}), "x");
  EXPECT_EQ(json_.ExtractString(doc, P{K("user"), K("nope")}), "");
  EXPECT_EQ(json_.ExtractInt(doc, P{K("user"), K("nope")}), 0);
  EXPECT_FALSE(json_.Has(doc, P{K("user"), K("id"), K("deeper")}));  // through a scalar
  EXPECT_FALSE(json_.Has(doc, P{K("user"), K("tags"), K("x")}));     // key on an array
  EXPECT_FALSE(json_.Has(doc, P{K("User")}));                        // case-sensitive
  EXPECT_EQ(json_.ExtractString(doc, P{K("user"), K("geo")}), R"({"country":"DE"})");
  // The first of duplicated keys wins, on both the SAX and the DOM path.
  EXPECT_EQ(json_.ExtractInt(R"({"a":1,"a":2})", P{K("a")}), 1);
  EXPECT_EQ(json_.ExtractInt(R"({"a":[1,2],"a":[3]})", P{K("a"), I(-1)}), 2);
  EXPECT_EQ(json_.ExtractInt(R"({"a":{"b":1},"a":{"c":2}})", P{K("a"), K("c")}), 0);
  // Keys after the matched member do not disturb the result.
  EXPECT_EQ(
      json_.ExtractInt(R"({"x":{"a":9},"a":{"a":5,"b":[1,{"a":7}]},"z":0})", P{K("a"), K("a")}), 5);
  EXPECT_EQ(json_.ExtractInt(R"([[1,2],[3,[4,5]]])", P{I(2), I(2), I(1)}), 4);
}

TEST_F(JsonExtractTest, NumericConversions) {
  EXPECT_EQ(json_.ExtractInt(R"({"a":1.9})", P{K("a")}), 1);  // truncates
  EXPECT_EQ(json_.ExtractInt(R"({"a":-1.9})", P{K("a")}), -1);
  EXPECT_EQ(json_.ExtractInt(R"({"a":-1e300})", P{K("a")}), 0);  // out of range
  EXPECT_EQ(json_.ExtractInt(R"({"a":"123"})", P{K("a")}), 123);
  EXPECT_EQ(json_.ExtractInt(R"({"a":"-7"})", P{K("a")}), -7);
  EXPECT_EQ(json_.ExtractInt(R"({"a":"1.5"})", P{K("a")}), 1);
  EXPECT_EQ(json_.ExtractInt(R"({"a":"1e3"})", P{K("a")}), 1000);
  EXPECT_EQ(json_.ExtractInt(R"({"a":"12abc"})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractInt(R"({"a":" 12"})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractInt(R"({"a":true})", P{K("a")}), 0);  // bool is not converted
  EXPECT_EQ(json_.ExtractInt(R"({"a":null})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractInt(R"({"a":[1]})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractInt(R"({"a":9223372036854775807})", P{K("a")}), INT64_MAX);
  EXPECT_EQ(json_.ExtractInt(R"({"a":-9223372036854775808})", P{K("a")}), INT64_MIN);
  EXPECT_EQ(json_.ExtractInt(R"({"a":18446744073709551615})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractUInt(R"({"a":18446744073709551615})", P{K("a")}), UINT64_MAX);
  EXPECT_EQ(json_.ExtractUInt(R"({"a":-1})", P{K("a")}), 0u);
  EXPECT_EQ(json_.ExtractUInt(R"({"a":1.5})", P{K("a")}), 1u);
  EXPECT_DOUBLE_EQ(json_.ExtractFloat(R"({"a":18446744073709551615})", P{K("a")}),
                   18446744073709551615.0);
  EXPECT_DOUBLE_EQ(json_.ExtractFloat(R"({"a":0.1})", P{K("a")}), 0.1);
  EXPECT_DOUBLE_EQ(json_.ExtractFloat(R"({"a":"-1.5e2"})", P{K("a")}), -150.0);
  EXPECT_DOUBLE_EQ(json_.ExtractFloat(R"({"a":7})", P{K("a")}), 7.0);
  EXPECT_EQ(json_.ExtractFloat(R"({"a":true})", P{K("a")}), 0.0);
  EXPECT_EQ(json_.ExtractFloat(R"({"a":"x"})", P{K("a")}), 0.0);
  EXPECT_TRUE(std::isinf(json_.ExtractFloat(R"({"a":"inf"})", P{K("a")})));
  EXPECT_EQ(json_.ExtractBool(R"({"a":true})", P{K("a")}), 1);
  EXPECT_EQ(json_.ExtractBool(R"({"a":false})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractBool(R"({"a":2})", P{K("a")}), 1);
  EXPECT_EQ(json_.ExtractBool(R"({"a":0})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractBool(R"({"a":"true"})", P{K("a")}), 0);
  EXPECT_EQ(json_.ExtractBool(R"({"a":1.0})", P{K("a")}), 0);
}

TEST_F(JsonExtractTest, StringsAndRawText) {
  EXPECT_EQ(json_.ExtractString(R"({"a":"x\ny\u00e9\"q\""})", P{K("a")}), "x\ny\xC3\xA9\"q\"");
  EXPECT_EQ(json_.ExtractString(R"({"a":"nul\u0000byte"})", P{K("a")}),
            std::string("nul\0byte", 8));
  EXPECT_EQ(json_.ExtractString(R"({"a":null})", P{K("a")}), "");
  EXPECT_EQ(json_.ExtractString(R"({"a":1})", P{K("a")}), "1");
  EXPECT_EQ(json_.ExtractString(R"({"a":-2.5})", P{K("a")}), "-2.5");
  EXPECT_EQ(json_.ExtractString(R"({"a":1e300})", P{K("a")}), "1e300");
  EXPECT_EQ(json_.ExtractString(R"({"a":true})", P{K("a")}), "true");
  EXPECT_EQ(
      json_.ExtractString(R"({"a": {"b" : [1, "x/y", null, {}, []], "c": false}})", P{K("a")}),
      R"({"b":[1,"x\/y",null,{},[]],"c":false})");
  EXPECT_EQ(json_.ExtractString(R"({"a":[{"k":"v"}]})", P{K("a"), I(-1)}), R"({"k":"v"})");
  std::string out = "stale";
  EXPECT_FALSE(json_.ExtractString(R"({"a":1})", P{K("b")}, &out));
  EXPECT_EQ(out, "");
}

TEST_F(JsonExtractTest, MalformedJsonGivesDefaultsAndNeverCrashes) {
  const std::string bad[] = {"",
                             "{",
                             R"({"a":)",
                             R"({"a":1,})",
                             R"({"a":1} trailing)",
                             R"({"a":1}{"a":2})",
                             R"({'a':1})",
                             R"({"a":NaN})",
                             R"({"a":01})",
                             "{\"a\":\"\xff\"}",
                             std::string("{\"a\":1}\0", 8),
                             "[1,2",
                             "nul"};
  for (const std::string& doc : bad) {
    EXPECT_FALSE(json_.Has(doc, P{K("a")})) << doc;
    EXPECT_FALSE(json_.Has(doc, P{})) << doc;
    EXPECT_EQ(json_.ExtractInt(doc, P{K("a")}), 0) << doc;
    EXPECT_EQ(json_.ExtractInt(doc, P{I(-1)}), 0) << doc;
    EXPECT_EQ(json_.ExtractString(doc, P{K("a")}), "") << doc;
  }
  EXPECT_TRUE(json_.Has("  {\"a\":1}\n ", P{K("a")}));
  EXPECT_TRUE(json_.Has("null", P{}));
  EXPECT_EQ(json_.ExtractInt("5", P{}), 5);
  // Deep nesting is rejected like simdjson's depth limit, without recursion.
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(json_.Has(deep, P{I(1)}));
  EXPECT_FALSE(json_.Has(deep, P{I(-1)}));
  const std::string ok_depth = std::string(1000, '[') + "7" + std::string(1000, ']');
  EXPECT_TRUE(json_.Has(ok_depth, P{I(1)}));
  EXPECT_EQ(json_.ExtractString(ok_depth, P{I(-1), I(1)}).size(), 998u * 2 + 1);
}

TEST_F(JsonExtractTest, TwoMillionLevelsGiveTheDefault) {
  std::string objects;
  for (int i = 0; i < 400'000; ++i) objects += R"({"a":)";
  objects += "1";
  const std::string closed_objects = objects + std::string(400'000, '}');
  for (const std::string& doc : {std::string(2'000'000, '['),
                                 std::string(2'000'000, '[') + std::string(2'000'000, ']'),
                                 objects, closed_objects}) {
    for (const P& path : {P{}, P{K("a")}, P{I(1)}, P{I(-1)}, P{K("a"), K("a"), I(-1)}}) {
      EXPECT_FALSE(json_.Has(doc, path));
      EXPECT_EQ(json_.ExtractInt(doc, path), 0);
      EXPECT_EQ(json_.ExtractUInt(doc, path), 0u);
      EXPECT_EQ(json_.ExtractBool(doc, path), 0);
      EXPECT_EQ(json_.ExtractString(doc, path), "");
    }
  }
  // At simdjson's limit (1024 levels) a negative index still walks the DOM.
  const std::string at_limit = std::string(1024, '[') + "7" + std::string(1024, ']');
  EXPECT_EQ(json_.ExtractString(at_limit, P{I(-1)}).size(), 1023u * 2 + 1);
  EXPECT_FALSE(json_.Has("[" + at_limit + "]", P{I(-1)}));
}

// Random documents and paths: the SAX walker and the DOM walker agree.
std::string RandomValue(std::mt19937& rng, int depth) {
  const int kind = static_cast<int>(rng() % (depth > 3 ? 5 : 7));
  switch (kind) {
    case 0:
      return std::to_string(static_cast<int>(rng() % 200) - 100);
    case 1:
      return rng() % 2 ? "true" : "false";
    case 2:
      return "null";
    case 3:
      return "\"" + std::string(1, static_cast<char>('a' + rng() % 3)) + "\"";
    case 4:
      return std::to_string(static_cast<int>(rng() % 100)) + ".5";
    case 5: {
      std::string out = "[";
      const int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) out += (i ? "," : "") + RandomValue(rng, depth + 1);
      return out + "]";
    }
    default: {
      std::string out = "{";
      const int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) {
        out += std::string(i ? "," : "") + "\"" + static_cast<char>('a' + rng() % 3) +
               "\":" + RandomValue(rng, depth + 1);
      }
      return out + "}";
    }
  }
}

TEST_F(JsonExtractTest, SaxAndDomAgreeOnRandomDocuments) {
  std::mt19937 rng(42);
  JsonExtractor dom;
  dom.TEST_ForceDom(true);
  for (int iteration = 0; iteration < 5000; ++iteration) {
    const std::string doc = RandomValue(rng, 0);
    JsonPath path;
    const int steps = static_cast<int>(rng() % 4);
    for (int s = 0; s < steps; ++s) {
      if (rng() % 2) {
        path.push_back(JsonPathStep::Key(std::string(1, static_cast<char>('a' + rng() % 3))));
      } else {
        path.push_back(JsonPathStep::Index(static_cast<int64_t>(rng() % 4)));
      }
    }
    ASSERT_EQ(json_.Has(doc, path), dom.Has(doc, path)) << doc;
    ASSERT_EQ(json_.ExtractString(doc, path), dom.ExtractString(doc, path)) << doc;
    ASSERT_EQ(json_.ExtractInt(doc, path), dom.ExtractInt(doc, path)) << doc;
    ASSERT_EQ(json_.ExtractBool(doc, path), dom.ExtractBool(doc, path)) << doc;
    ASSERT_EQ(json_.ExtractFloat(doc, path), dom.ExtractFloat(doc, path)) << doc;
  }
}

}  // namespace
}  // namespace mua::query_internal
