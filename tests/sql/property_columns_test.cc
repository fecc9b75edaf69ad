// Property columns (query/operators/property_columns.h): a JSON extraction from
// `properties` or `attributes` with a constant path, filled per block and kept per sealed
// block, answers exactly what the extraction over the text answers — for mixed types,
// big integers, escaped and duplicate keys, invalid JSON, nested paths, and keys that
// appear only as values — in WHERE, GROUP BY, aggregates, outputs and ORDER BY, over
// sealed segments and unsealed heads, on the first run (computed) and later runs (kept).
// The oracle is the same call over concat(properties, ''), which the rule leaves alone.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/derived_block.h"
#include "storage/table.h"
#include "tests/sql/sql_test_util.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

// Each is some rows' properties (and attributes), spread over sealed blocks and heads.
const char* const kTexts[] = {
    R"({"price": 12.5, "currency": "USD"})",
    R"({"price":"19.99","currency":"EUR"})",
    R"({"price": 18446744073709551616})",
    R"({"price": 18446744073709551615, "currency": "USD"})",
    R"({"price": 9223372036854775807})",
    R"({"price": -9223372036854775808})",
    R"({"price": 1e400})",
    R"({"price": -0.0})",
    R"({"pr\u0069ce": 7, "curr\u0065ncy": "JPY"})",
    R"({"price": 1, "price": 2})",
    R"(not json "price": 5)",
    R"({"price": 3)",
    R"({"item": {"price": 3, "tags": ["a", "b"]}})",
    R"({"tag": "price"})",
    R"([1, "price", {"price": 4}])",
    R"({"price": true})",
    R"({"price": null})",
    R"({"price": [1, 2.5, "3"]})",
    R"({"price": {"amount": 8}})",
    R"({})",
    "",
    R"({"k\"ey": 1, "price": 0})",
    R"({"prix": 5, "prîce": 6})",
    R"({"price":12,"currency":"USD"})",
    R"( {"price" : 42 , "currency" : "GBP"} )",
    R"({"price": 4.0000000000000001})",
};

class PropertyColumnsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new Table(TableOptions{.segment_rows = 2000});
    // Generated days (the generator's own properties, purchases with prices) with the
    // texts above mixed into every day: most days sealed, the last ones in heads.
    std::vector<std::string> ids;
    ids.reserve(100000);
    gen::ForEachDayOfRows({.users = 300, .days = 5, .seed = 11}, [&](int day, absl::Span<const EventRow> rows) {
      std::vector<EventRow> mixed(rows.begin(), rows.end());
      for (size_t i = 0; i < mixed.size(); i += 7) {
        mixed[i].properties = kTexts[(i / 7 + day) % std::size(kTexts)];
        mixed[i].attributes = kTexts[(i / 7 + day + 3) % std::size(kTexts)];
      }
      for (size_t i = 0; i < mixed.size(); ++i) {
        ids.push_back(absl::StrCat("e", day, "-", i));
        mixed[i].event_id = ids.back();
      }
      ASSERT_OK(table_->Append(mixed));
      if (day < 3) table_->SealAll();
    });
    catalog_ = new Catalog(table_);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete table_;
  }

  std::string Run(const std::string& sql) { return test::RunTabSeparated(table_, catalog_, sql); }

  // `sql` (using properties/attributes) equals its oracle, on a first and a second run,
  // and the rule applied.
  void ExpectSameAsText(const std::string& sql) {
    const std::string oracle = absl::StrReplaceAll(
        sql, {{"(properties,", "(concat(properties, ''),"}, {"(attributes,", "(concat(attributes, ''),"}});
    ASSERT_NE(oracle, sql);
    EXPECT_NE(Run("EXPLAIN " + sql).find("Property columns"), std::string::npos) << sql;
    EXPECT_EQ(Run("EXPLAIN " + oracle).find("Property columns"), std::string::npos) << oracle;
    const std::string expected = Run(oracle);
    EXPECT_FALSE(expected.empty()) << oracle;
    EXPECT_EQ(Run(sql), expected) << sql;
    EXPECT_EQ(Run(sql), expected) << sql << " (kept values)";
  }

  static Table* table_;
  static Catalog* catalog_;
};
Table* PropertyColumnsTest::table_ = nullptr;
Catalog* PropertyColumnsTest::catalog_ = nullptr;

TEST_F(PropertyColumnsTest, EveryExtractionPerRow) {
  const char* const kCalls[] = {
      "JSONExtractFloat(properties, 'price')",
      "JSONExtractInt(properties, 'price')",
      "JSONExtractUInt(properties, 'price')",
      "JSONExtractBool(properties, 'price')",
      "JSONExtractString(properties, 'price')",
      "JSONExtractString(properties, 'currency')",
      "JSONExtractRaw(properties, 'price')",
      "JSONHas(properties, 'price')",
      "JSONType(properties, 'price')",
      "JSONLength(properties, 'price')",
      "JSONExtractKeys(properties, 'price')",
      "JSONExtractArrayRaw(properties, 'price')",
      "JSONExtract(properties, 'price', 'Nullable(Float64)')",
      "JSONExtract(properties, 'price', 'Int64')",
      "JSONExtract(properties, 'price', 'Array(Float64)')",
      "JSONExtract(properties, 'price', 'String')",
      "JSONExtractFloat(properties, 'item', 'price')",
      "JSONExtractArrayRaw(properties, 'item', 'tags')",
      "JSONExtractInt(properties, 'k\"ey')",
      "JSONExtractInt(properties, 'prîce')",
      "JSONExtractFloat(properties, '')",
      "visitParamExtractFloat(properties, 'price')",
      "visitParamExtractString(properties, 'currency')",
      "visitParamHas(properties, 'price')",
      "JSONExtractFloat(attributes, 'price')",
  };
  for (const char* call : kCalls) {
    ExpectSameAsText(absl::StrCat("SELECT event_id, ", call, " FROM events ORDER BY event_id"));
  }
}

TEST_F(PropertyColumnsTest, InFiltersKeysAggregatesAndOrder) {
  // The revenue query of SPEC §9: the column is filled after the filter.
  ExpectSameAsText(
      "SELECT country, round(sum(if(abs(JSONExtractFloat(properties, 'price')) < 1e6, "
      "JSONExtractFloat(properties, 'price'), 0)), 2) AS revenue, uniqExact(user_id) "
      "FROM events WHERE event_type = 'purchase' GROUP BY country ORDER BY revenue DESC, country");
  // In the filter: filled before it.
  ExpectSameAsText("SELECT count(), sum(JSONExtractInt(properties, 'price')) FROM events "
                   "WHERE JSONExtractFloat(properties, 'price') > 10");
  ExpectSameAsText("SELECT count() FROM events WHERE JSONHas(properties, 'price') AND platform = 'ios'");
  ExpectSameAsText("SELECT JSONExtractString(properties, 'currency') AS c, count(), "
                   "min(JSONExtractFloat(properties, 'price')), max(JSONExtractFloat(properties, 'price')) "
                   "FROM events GROUP BY c ORDER BY c");
  ExpectSameAsText("SELECT event_id FROM events WHERE event_type = 'purchase' "
                   "ORDER BY JSONExtractFloat(properties, 'price') DESC, event_id LIMIT 50");
  // A time range: days wholly inside it use the filter without the time bounds.
  ExpectSameAsText("SELECT toDate(event_time) AS d, max(JSONExtractFloat(properties, 'price')) FROM events "
                   "WHERE event_time >= '2026-10-02 12:00:00' AND JSONExtractString(properties, 'currency') != '' "
                   "GROUP BY d ORDER BY d");
  // The same extraction twice and the text itself still read directly.
  ExpectSameAsText("SELECT event_id, length(properties), JSONExtractFloat(properties, 'price') * 2, "
                   "JSONExtractFloat(properties, 'price') FROM events WHERE event_type = 'purchase' "
                   "ORDER BY event_id LIMIT 100");
}

TEST_F(PropertyColumnsTest, KeptOnlyWithinTheBudget) {
  // Keys no other test extracts: what they keep is this test's alone.
  SetDerivedBlockBudget(0);
  const uint64_t before = DerivedBlockBytes();
  EXPECT_EQ(Run("SELECT sum(JSONExtractUInt(properties, 'source') + 1) FROM events"),
            Run("SELECT sum(JSONExtractUInt(concat(properties, ''), 'source') + 1) FROM events"));
  EXPECT_EQ(DerivedBlockBytes(), before);  // nothing kept past the budget
  SetDerivedBlockBudget(uint64_t{256} << 20);
  // Float sums depend on the blocks' order among threads: min, max and counts do not.
  const std::string sql = "SELECT max(JSONExtractFloat(properties, 'screen_price')), "
                          "countIf(JSONHas(properties, 'screen')) FROM events";
  const std::string expected = Run("SELECT max(JSONExtractFloat(concat(properties, ''), 'screen_price')), "
                                   "countIf(JSONHas(concat(properties, ''), 'screen')) FROM events");
  EXPECT_EQ(Run(sql), expected);
  EXPECT_GT(DerivedBlockBytes(), before);  // kept within it
  EXPECT_EQ(Run(sql), expected);
}

}  // namespace
}  // namespace mua
