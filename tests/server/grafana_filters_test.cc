// Ad hoc filters and the regex subset as the SQL they become: values are always
// escaped literals, keys always from the fixed column list.
#include "server/internal/grafana_filters.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testutil/status_matchers.h"

namespace mua::server_internal {
namespace {

using test::StatusIs;

absl::StatusOr<std::string> FiltersSql(const char* request_json) {
  rapidjson::Document request;
  request.Parse(request_json);
  EXPECT_FALSE(request.HasParseError()) << request_json;
  return AdhocFiltersToSql(request);
}

// The SQL, or "error: <message>".
std::string SqlOrError(const absl::StatusOr<std::string>& sql) {
  return sql.ok() ? *sql : std::string("error: ") + std::string(sql.status().message());
}

TEST(GrafanaFiltersTest, EveryOperatorBecomesAQuotedCondition) {
  ASSERT_OK_AND_ASSIGN(std::string sql, FiltersSql(R"({"filters": [
      {"key": "platform", "operator": "=", "value": "ios"},
      {"key": "country", "operator": "!=", "value": "US"},
      {"key": "app_version", "operator": "<", "value": "2.0"},
      {"key": "app_version", "operator": ">", "value": "1.0"},
      {"key": "city", "operator": "=|", "value": "", "values": ["Berlin", "Paris"]},
      {"key": "region", "operator": "!=|", "value": "x"}]})"));
  EXPECT_EQ(sql,
            "(platform = 'ios') AND (country != 'US') AND (app_version < '2.0') AND (app_version > "
            "'1.0') AND "
            "(city IN ('Berlin', 'Paris')) AND (region NOT IN ('x'))");
}

TEST(GrafanaFiltersTest, NoFiltersIsEmpty) {
  EXPECT_EQ(SqlOrError(FiltersSql("{}")), "");
  EXPECT_EQ(SqlOrError(FiltersSql(R"({"filters": []})")), "");
  EXPECT_EQ(SqlOrError(FiltersSql(R"({"filters": null})")), "");
}

TEST(GrafanaFiltersTest, LegacyAdhocFiltersAreRead) {
  ASSERT_OK_AND_ASSIGN(
      std::string sql,
      FiltersSql(R"({"adhocFilters": [{"key": "city", "operator": "=", "value": "Berlin"}]})"));
  EXPECT_EQ(sql, "(city = 'Berlin')");
}

TEST(GrafanaFiltersTest, ValuesAreEscaped) {
  ASSERT_OK_AND_ASSIGN(std::string sql, FiltersSql(R"({"filters": [
      {"key": "user_id", "operator": "=", "value": "a' OR 1=1 --\\"}]})"));
  EXPECT_EQ(sql, R"((user_id = 'a\' OR 1=1 --\\'))");
}

TEST(GrafanaFiltersTest, UnknownKeysAndOperatorsAreRejected) {
  EXPECT_THAT(FiltersSql(R"({"filters": [{"key": "event_time", "operator": "=", "value": "x"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      FiltersSql(R"({"filters": [{"key": "platform) OR (1", "operator": "=", "value": "x"}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FiltersSql(R"({"filters": [{"key": "platform", "operator": "<>", "value": "x"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FiltersSql(R"({"filters": [{"key": "platform", "operator": "="}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FiltersSql(R"({"filters": {"key": "platform"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GrafanaFiltersTest, RegexSubsetMapsToInAndLike) {
  EXPECT_EQ(SqlOrError(RegexMatchToSql("platform", "ios")), "(platform = 'ios')");
  // Grafana's multi-value form, with its escapes.
  EXPECT_EQ(SqlOrError(RegexMatchToSql("app_version", R"((1\.0|2\.0\-beta))")),
            "(app_version IN ('1.0', '2.0-beta'))");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", "^Ber.*$")), "(city LIKE 'Ber%')");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", "a|.+_x.|b")),
            R"((city IN ('a', 'b') OR city LIKE '_%\\_x_'))");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", ".*")), "(city LIKE '%')");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", R"(100\%)")), "(city = '100%')");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", "(?:a|b)")), "(city IN ('a', 'b'))");
  EXPECT_EQ(SqlOrError(RegexMatchToSql("city", "")), "(city = '')");
}

TEST(GrafanaFiltersTest, RegexOutsideTheSubsetIsAnError) {
  for (const char* regex : {"[ab]", "a+", "a?", "(a)|(b)", R"(\d+)", "a{2}", "x\\", "(?i)ios"}) {
    EXPECT_THAT(RegexMatchToSql("city", regex), StatusIs(absl::StatusCode::kInvalidArgument))
        << regex;
  }
}

TEST(GrafanaFiltersTest, NegatedRegexWrapsInNot) {
  ASSERT_OK_AND_ASSIGN(
      std::string sql,
      FiltersSql(R"({"filters": [{"key": "platform", "operator": "!~", "value": "web|ios"}]})"));
  EXPECT_EQ(sql, "(NOT (platform IN ('web', 'ios')))");
}

}  // namespace
}  // namespace mua::server_internal
