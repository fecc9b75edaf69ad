#include "tests/fuzz/sql_execute_generator.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace mua {
namespace {

// A fixed bound: the input chooses the shape, never the depth. Deeper, random calls
// rarely bind (each function checks its argument types).
constexpr int kMaxDepth = 2;

struct Source {
  std::string from;
  std::vector<std::string> columns;
};

const std::vector<std::string> kEventColumns = {
    "event_time", "user_id",      "session_id",  "event_id", "event_type", "platform", "os_version",
    "app_version", "device_model", "device_type", "country",  "region",     "city",     "properties"};

const std::vector<Source> kTables = {
    {"events", kEventColumns},
    {"releases", {"app_version", "platform", "released", "notes", "tags"}},
    {"user_attrs", {"user_id", "tier", "score", "signup", "cohort", "logins"}},
    {"campaigns", {"campaign_id", "name", "country", "start", "budget", "active"}},
    {"user_profiles",
     {"user_id", "first_seen", "last_seen", "event_count", "platform", "app_version", "country", "device_type"}},
    {"sessions",
     {"session_id", "user_id", "start", "end", "duration_s", "events", "platform", "app_version", "crashed",
      "revenue"}},
    {"numbers(20)", {"number"}},
    {"system.one", {"dummy"}},
    {"zeros(4)", {"zero"}},
    {"(SELECT number FROM system.numbers WHERE number % 3 = 1 LIMIT 25)", {"number"}},
};

const char* const kLiterals[] = {
    "0", "1", "-1", "2", "3", "7", "255", "256", "65535", "4294967296", "9223372036854775807",
    "-9223372036854775808", "18446744073709551615", "0.5", "-0.0", "1e308", "-1e-308", "nan", "inf",
    "-inf", "NULL", "''", "'a'", "'purchase'", "'ios'", "'US'", "'u1'", "'2026-10-05'",
    "'2026-10-05 08:00:00'", "'2026-10-05 08:00:00.250'", "'1970-01-01'", "'2299-12-31 23:59:59'",
    "'%Y-%m-%d %H:%M:%S.%f'", "'(\\\\d+)'", "'.*'", "'UTC'", "'Asia/Tokyo'", "'price'", "'Float64'",
    "'Array(String)'", "'Nullable(Int64)'", "'{\"a\":[1,2],\"b\":{\"c\":null}}'", "[]", "[1, 2, 3]",
    "[NULL, 1]", "['a', '', 'b']", "[[1], [], [2, 3]]", "[(1, 'a'), (2, 'b')]", "(1, 'a')",
    "(NULL, [1])", "toNullable(1)", "toDateTime64('2026-10-05 08:00:00.123', 3)", "today()", "now()",
    "INTERVAL 1 DAY", "INTERVAL -3 HOUR", "toDate('2026-10-07')", "toUInt8(200)", "toInt16(-300)"};

const char* const kBinaryOperators[] = {" + ", " - ", " * ", " / ", " % ", " = ", " != ", " < ", " >= ",
                                        " AND ", " OR ", " || ", " LIKE ", " IN ", " NOT IN "};

const char* const kLambdaFunctions[] = {"arrayMap",   "arrayFilter", "arrayExists", "arrayAll",
                                        "arraySort",  "arrayCount",  "arrayFirst",  "arraySum",
                                        "arrayFill",  "arraySplit",  "arrayCumSum", "arrayReverseSort"};

const char* const kTypes[] = {"UInt8",         "Int64",          "Float64",          "String",
                              "Date",          "DateTime",       "DateTime64(3)",    "Nullable(String)",
                              "Array(String)", "Array(UInt32)",  "Nullable(Int32)", "Tuple(UInt8, String)",
                              "LowCardinality(String)"};

const char* const kWindowFunctions[] = {"row_number()", "rank()", "dense_rank()", "first_value(", "last_value(",
                                        "lagInFrame(", "leadInFrame(", "sum(", "count(", "min(", "max(", "avg("};

const char* const kFrames[] = {"",
                               " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                               " ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
                               " ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING",
                               " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                               " RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                               " RANGE BETWEEN 3600 PRECEDING AND CURRENT ROW",
                               " RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING"};

const char* const kJoins[] = {"ALL INNER JOIN", "ALL LEFT JOIN", "ALL RIGHT JOIN", "ALL FULL OUTER JOIN",
                              "ANY LEFT JOIN",  "ANY INNER JOIN", "LEFT SEMI JOIN", "LEFT ANTI JOIN",
                              "CROSS JOIN",     "GLOBAL ALL INNER JOIN", "JOIN",   "ANY RIGHT JOIN"};

const char* const kFormats[] = {"",     "",       "",           " FORMAT JSON", " FORMAT Native", " FORMAT Values",
                                " FORMAT RowBinaryWithNamesAndTypes", " FORMAT PrettyCompact", " FORMAT Markdown",
                                " FORMAT CSVWithNames", " FORMAT JSONCompactStrings", " FORMAT Vertical"};

class Builder {
 public:
  Builder(FuzzedDataProvider* in, const std::vector<std::string>& scalars,
          const std::vector<std::string>& aggregates)
      : in_(*in), scalars_(scalars), aggregates_(aggregates) {}

  std::string Query(int depth) {
    const Source source = PickSource(depth);
    columns_ = source.columns;
    const bool grouped = in_.ConsumeIntegralInRange(0, 2) == 0;
    std::vector<std::string> items, keys;
    const int count = in_.ConsumeIntegralInRange(1, 4);
    if (grouped) {
      for (int i = in_.ConsumeIntegralInRange(0, 2); i > 0; --i) keys.push_back(Column());
      for (const std::string& key : keys) items.push_back(key);
      for (int i = 0; i < count; ++i) {
        // Window functions over the groups: sum(count()) OVER (ORDER BY key), rank() OVER (ORDER BY count()).
        items.push_back(in_.ConsumeIntegralInRange(0, 5) == 0 ? GroupWindow(depth, keys) : Aggregate(depth));
      }
    } else {
      for (int i = 0; i < count; ++i) {
        items.push_back(in_.ConsumeIntegralInRange(0, 5) == 0 ? Window(depth) : Expr(depth));
      }
    }
    std::string sql = absl::StrCat("SELECT ", in_.ConsumeIntegralInRange(0, 7) == 0 ? "DISTINCT " : "");
    for (size_t i = 0; i < items.size(); ++i) {
      absl::StrAppend(&sql, i == 0 ? "" : ", ", items[i], " AS c", i);
    }
    absl::StrAppend(&sql, " FROM ", source.from);
    if (in_.ConsumeBool()) absl::StrAppend(&sql, " WHERE ", Expr(depth + 1));
    if (grouped && !keys.empty()) {
      absl::StrAppend(&sql, " GROUP BY ", absl::StrJoin(keys, ", "));
      if (in_.ConsumeIntegralInRange(0, 4) == 0) absl::StrAppend(&sql, " WITH TOTALS");
      if (in_.ConsumeIntegralInRange(0, 3) == 0) absl::StrAppend(&sql, " HAVING ", Aggregate(depth + 1), " > 1");
    }
    if (in_.ConsumeBool()) {
      const int key = in_.ConsumeIntegralInRange<int>(0, static_cast<int>(items.size()) - 1);
      absl::StrAppend(&sql, " ORDER BY c", key, in_.ConsumeBool() ? " DESC" : "",
                      in_.ConsumeIntegralInRange(0, 3) == 0 ? " NULLS FIRST" : "");
      if (in_.ConsumeIntegralInRange(0, 4) == 0) {
        absl::StrAppend(&sql, " WITH FILL",
                        in_.PickValueInArray({"", " STEP 1", " FROM 0 TO 30", " STEP INTERVAL 1 DAY", " STEP -2"}));
      }
    }
    if (in_.ConsumeIntegralInRange(0, 4) == 0) {
      absl::StrAppend(&sql, " LIMIT ", in_.ConsumeBool() ? absl::StrCat(in_.ConsumeIntegralInRange(0, 2), ", ") : "",
                      in_.ConsumeIntegralInRange(0, 3), " BY c0");
    }
    if (in_.ConsumeBool()) {
      absl::StrAppend(&sql, " LIMIT ", in_.ConsumeIntegralInRange(0, 50));
      if (in_.ConsumeIntegralInRange(0, 3) == 0) absl::StrAppend(&sql, " OFFSET ", in_.ConsumeIntegralInRange(0, 9));
    }
    return sql;
  }

  std::string Statement() {
    std::string sql = Query(0);
    if (in_.ConsumeIntegralInRange(0, 5) == 0) {
      // The same number of columns, so the union binds more often than not.
      const size_t columns = static_cast<size_t>(std::count(sql.begin(), sql.end(), ',')) + 1;
      std::vector<std::string> items;
      for (size_t i = 0; i < columns && i < 6; ++i) items.push_back(Expr(1));
      columns_ = {"number"};
      absl::StrAppend(&sql, in_.ConsumeBool() ? " UNION ALL " : " UNION DISTINCT ", "SELECT ",
                      absl::StrJoin(items, ", "), " FROM numbers(3)");
    }
    if (in_.ConsumeIntegralInRange(0, 4) == 0) {
      absl::StrAppend(&sql, " SETTINGS ",
                      in_.PickValueInArray({"join_use_nulls = 1", "join_use_nulls = 1", "max_threads = 2",
                                            "max_result_rows = 3", "max_execution_time = 1",
                                            "join_use_nulls = 0, max_threads = 4"}));
    }
    absl::StrAppend(&sql, in_.PickValueInArray(kFormats));
    return sql;
  }

 private:
  Source PickSource(int depth) {
    const int kind = in_.ConsumeIntegralInRange(0, 10);
    if (kind <= 4) return kTables[in_.ConsumeIntegralInRange<size_t>(0, kTables.size() - 1)];
    if (kind == 5 && depth < kMaxDepth) {  // a subquery
      Builder inner(&in_, scalars_, aggregates_);
      return Source{absl::StrCat("(", inner.Query(depth + 1), ")"), {"c0", "c1", "c2"}};
    }
    if (kind == 6) {
      Source source{"events ARRAY JOIN " + std::string(in_.PickValueInArray(
                                              {"[1, 2, 3] AS x", "splitByChar('.', app_version) AS x",
                                               "[] AS x", "[[1], [2, 3]] AS x", "[NULL, 'a'] AS x"})),
                    kEventColumns};
      source.columns.push_back("x");
      return source;
    }
    if (kind == 7) return TableFunction();
    // A join of two tables: the union of their columns, some of them ambiguous.
    const Source& left = kTables[in_.ConsumeIntegralInRange<size_t>(0, kTables.size() - 1)];
    const Source& right = kTables[in_.ConsumeIntegralInRange<size_t>(0, kTables.size() - 1)];
    std::string join = in_.PickValueInArray(kJoins);
    std::string from = absl::StrCat(left.from, " AS l ", join, " ", right.from, " AS r");
    std::vector<std::string> shared;  // USING needs a column of both sides
    for (const std::string& column : left.columns) {
      if (std::find(right.columns.begin(), right.columns.end(), column) != right.columns.end()) {
        shared.push_back(column);
      }
    }
    if (join != "CROSS JOIN") {
      if (!shared.empty() && in_.ConsumeBool()) {
        absl::StrAppend(&from, " USING ", shared[in_.ConsumeIntegralInRange<size_t>(0, shared.size() - 1)]);
      } else {
        absl::StrAppend(&from, " ON l.", left.columns[in_.ConsumeIntegralInRange<size_t>(0, left.columns.size() - 1)],
                        " = r.", right.columns[in_.ConsumeIntegralInRange<size_t>(0, right.columns.size() - 1)]);
      }
    }
    Source source{from, {}};
    for (const std::string& column : left.columns) source.columns.push_back("l." + column);
    for (const std::string& column : right.columns) source.columns.push_back("r." + column);
    return source;
  }

  // A product-analytics table function, its `where =>` an expression over the events.
  Source TableFunction() {
    columns_ = kEventColumns;
    std::string where = in_.ConsumeBool() ? absl::StrCat(", where => ", Expr(1)) : "";
    switch (in_.ConsumeIntegralInRange(0, 6)) {
      case 5:
        return Anomalies(where);
      case 6:
        return {absl::StrCat("anomalous_users(period => '", in_.PickValueInArray({"hour", "day"}),
                             "', sensitivity => ", in_.PickValueInArray({"0", "1", "5"}),
                             in_.ConsumeBool() ? ", min_events => 3" : "",
                             in_.ConsumeBool() ? ", from => '2026-10-03', to => '2026-10-08'" : "", ")"),
                {"user_id", "events", "periods", "rate", "score", "top_event_types"}};
      case 4: {
        static constexpr const char* kMetrics[] = {"conversion", "count", "sum", "retention"};
        const std::string metric = kMetrics[in_.ConsumeIntegralInRange(0, 3)];
        const bool cuped = metric != "retention" && in_.ConsumeBool();
        return {absl::StrCat("experiment(name => 'exp1', metric => '", metric,
                             "', event => 'purchase', value_property => 'price'", cuped ? ", cuped => 1" : "",
                             in_.ConsumeBool() ? ", window => INTERVAL 2 DAY" : "",
                             in_.ConsumeBool() ? ", breakdown => platform" : "", where, ")"),
                {"variant", "users", "value", "mean", "stddev", "lift", "p_value", "srm_p_value"}};
      }
      case 0:
        return {absl::StrCat("active_users(from => '2026-10-01', to => '2026-10-11'", where, ")"),
                {"bucket", "dau", "wau", "mau", "dau_mau"}};
      case 1:
        return {absl::StrCat("funnel(steps => ['app_open', 'view_item', 'purchase']", where, ")"),
                {"step", "event", "users"}};
      case 2:
        return {absl::StrCat("active_users(period => 'week', breakdown => platform", where, ")"),
                {"bucket", "platform", "dau", "wau", "mau"}};
      default:
        return {absl::StrCat("sessions(from => '2026-10-01', to => '2026-10-08'", where, ")"),
                {"session_id", "user_id", "start", "end", "duration_s", "events", "platform"}};
    }
  }

  // anomalies(): a built-in metric (perhaps split by a column) or a user's series, whose
  // query carries the `where` expression; every method, period and seasonality.
  Source Anomalies(const std::string& where) {
    static constexpr const char* kMetrics[] = {"events", "active_users", "crash_rate", "revenue", "sql"};
    const std::string metric = in_.PickValueInArray(kMetrics);
    const std::string period = in_.PickValueInArray({"hour", "day"});
    std::string args = absl::StrCat("metric => '", metric, "', period => '", period, "', method => '",
                                    in_.PickValueInArray({"seasonal_mad", "ewma"}), "', seasonality => '",
                                    period == "day" ? in_.PickValueInArray({"week", "none"})
                                                    : in_.PickValueInArray({"week", "day", "none"}),
                                    "', history => ", in_.PickValueInArray({"1", "3", "8"}),
                                    ", min_history => 1, min_count => ", in_.PickValueInArray({"0", "5", "200"}));
    std::vector<std::string> columns = {"bucket", "value", "expected", "lower", "upper", "score", "anomaly", "volume"};
    if (metric == "sql") {
      // where => ', ' + expr: the expression alone, quoted into the string.
      const std::string filter =
          where.empty() ? "1" : absl::StrReplaceAll(where.substr(where.find("=>") + 3), {{"\\", "\\\\"}, {"'", "''"}});
      switch (in_.ConsumeIntegralInRange(0, 2)) {
        case 0:
          absl::StrAppend(&args, ", sql => 'SELECT toStartOfHour(event_time) AS bucket, count() AS value FROM events "
                          "WHERE ", filter, " GROUP BY bucket'");
          break;
        case 1:
          absl::StrAppend(&args, ", sql => 'SELECT toDate(event_time) AS bucket, uniqExact(user_id) AS value, "
                          "count() AS volume FROM events WHERE ", filter, " GROUP BY bucket'");
          break;
        default:  // raw rows: each adds to its bucket
          absl::StrAppend(&args, ", sql => 'SELECT event_time AS bucket, toFloat64(1) AS value FROM events WHERE ",
                          filter, "'");
          break;
      }
    } else {
      if (metric == "revenue" && in_.ConsumeBool()) absl::StrAppend(&args, ", value_property => 'qty'");
      if (in_.ConsumeBool()) {
        const std::string column = in_.PickValueInArray({"platform", "country", "event_type", "app_version"});
        absl::StrAppend(&args, ", breakdown => ", column);
        columns.insert(columns.begin() + 1, column);
        columns.push_back("share");
      }
    }
    if (in_.ConsumeBool()) absl::StrAppend(&args, ", from => '2026-10-04', to => '2026-10-09'");
    if (in_.ConsumeBool()) absl::StrAppend(&args, ", timezone => 'Europe/Berlin'");
    return {absl::StrCat("anomalies(", args, ")"), columns};
  }

  std::string Column() {
    if (columns_.empty()) return "1";
    return columns_[in_.ConsumeIntegralInRange<size_t>(0, columns_.size() - 1)];
  }

  std::string Function(const std::vector<std::string>& names) {
    if (names.empty()) return "count";
    return names[in_.ConsumeIntegralInRange<size_t>(0, names.size() - 1)];
  }

  std::string Expr(int depth) {
    if (depth >= kMaxDepth) return in_.ConsumeBool() ? Column() : in_.PickValueInArray(kLiterals);
    switch (in_.ConsumeIntegralInRange(0, 12)) {
      case 0:
      case 1:
        return Column();
      case 2:
        return in_.PickValueInArray(kLiterals);
      case 3:
      case 4:
      case 5: {
        std::vector<std::string> args;
        for (int i = in_.ConsumeIntegralInRange(0, 3); i > 0; --i) args.push_back(Expr(depth + 1));
        return absl::StrCat(Function(scalars_), "(", absl::StrJoin(args, ", "), ")");
      }
      case 6:
        return absl::StrCat("(", Expr(depth + 1), in_.PickValueInArray(kBinaryOperators), Expr(depth + 1), ")");
      case 7:
        return absl::StrCat(in_.PickValueInArray({"NOT ", "-", "isNull(", "toNullable(", "[", "("}), Expr(depth + 1),
                            in_.PickValueInArray({"", ")", "]", " IS NULL", " IS NOT NULL", ", NULL)"}));
      case 8:
        return absl::StrCat("if(", Expr(depth + 1), ", ", Expr(depth + 1), ", ", Expr(depth + 1), ")");
      case 9: {
        // A lambda over an array; its parameter x is a column inside it.
        std::vector<std::string> saved = columns_;
        columns_.push_back("x");
        std::string body = Expr(depth + 1);
        columns_ = std::move(saved);
        return absl::StrCat(in_.PickValueInArray(kLambdaFunctions), "(x -> ", body, ", ", Expr(depth + 1), ")");
      }
      case 10:
        if (in_.ConsumeBool()) return absl::StrCat("CAST(", Expr(depth + 1), " AS ", in_.PickValueInArray(kTypes), ")");
        return absl::StrCat(in_.PickValueInArray({"accurateCastOrNull(", "CAST("}), Expr(depth + 1),
                            ", '", in_.PickValueInArray(kTypes), "')");
      case 11:
        return absl::StrCat(Expr(depth + 1), "[", in_.PickValueInArray({"0", "1", "-1", "2", "100"}), "]");
      default:
        // arrayJoin(): one row per element (in SELECT, WHERE, GROUP BY keys alike).
        return absl::StrCat("arrayJoin(",
                            in_.ConsumeBool() ? Expr(depth + 1)
                                              : std::string(in_.PickValueInArray(
                                                    {"[1, 2, 3]", "[]", "[NULL, 'a']", "[[1], [2, 3]]", "range(3)",
                                                     "splitByChar('.', app_version)", "tags", "logins"})),
                            ")");
    }
  }

  std::string Aggregate(int depth) {
    std::string name = Function(aggregates_);
    if (in_.ConsumeIntegralInRange(0, 4) == 0) {
      name += in_.PickValueInArray({"If", "Distinct", "OrNull", "OrDefault", "Array", "State"});
    }
    std::string parameters;
    switch (in_.ConsumeIntegralInRange(0, 5)) {
      case 0:
        parameters = in_.PickValueInArray({"(0.5)", "(2)", "(3600)", "(0.1, 0.9)", "('(?1)(?2)')", "(0)",
                                           "('(?1)(?t>10)(?2)')", "(3600, 'strict_order')", "(-1)"});
        break;
      default:
        break;
    }
    std::vector<std::string> args;
    for (int i = in_.ConsumeIntegralInRange(0, 3); i > 0; --i) args.push_back(Expr(depth + 1));
    return absl::StrCat(name, parameters, "(", absl::StrJoin(args, ", "), ")");
  }

  std::string GroupWindow(int depth, const std::vector<std::string>& keys) {
    std::string over = " OVER (";
    if (!keys.empty() && in_.ConsumeBool()) absl::StrAppend(&over, "PARTITION BY ", keys[0], " ");
    if (in_.ConsumeBool()) {
      absl::StrAppend(&over, "ORDER BY ",
                      keys.empty() || in_.ConsumeBool() ? Aggregate(depth + 1) : keys[keys.size() - 1],
                      in_.ConsumeBool() ? " DESC" : "", in_.PickValueInArray(kFrames));
    }
    std::string call = in_.PickValueInArray({"sum(", "avg(", "max(", "lagInFrame(", "rank()", "row_number()"});
    if (call.back() == '(') call += Aggregate(depth + 1) + ")";
    return call + over + ")";
  }

  std::string Window(int depth) {
    std::string call = in_.PickValueInArray(kWindowFunctions);
    if (call.back() == '(') {
      call += Expr(depth + 1);
      if (in_.ConsumeBool()) absl::StrAppend(&call, ", ", in_.PickValueInArray({"1", "2", "0", "-1", "1000"}));
      call += ")";
    }
    std::string over = " OVER (";
    if (in_.ConsumeBool()) absl::StrAppend(&over, "PARTITION BY ", Column(), " ");
    if (in_.ConsumeBool()) {
      absl::StrAppend(&over, "ORDER BY ", Column(), in_.ConsumeBool() ? " DESC" : "", in_.PickValueInArray(kFrames));
    }
    return call + over + ")";
  }

  FuzzedDataProvider& in_;
  const std::vector<std::string>& scalars_;
  const std::vector<std::string>& aggregates_;
  std::vector<std::string> columns_;
};

}  // namespace

std::string SqlGenerator::Generate(const uint8_t* data, size_t size) const {
  FuzzedDataProvider in(data, size);
  Builder builder(&in, scalars_, aggregates_);
  return builder.Statement();
}

}  // namespace mua
