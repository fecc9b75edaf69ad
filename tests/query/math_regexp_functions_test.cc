// Math, regular-expression and formatting functions, with ClickHouse's results.
#include <cmath>
#include <numbers>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/query/scalar_call.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

#define CALL(result, ...) ASSERT_OK_AND_ASSIGN(CallResult result, CallFunction(__VA_ARGS__))

TEST(MathFunctionsTest, FloatResults) {
  CALL(sqrt, "sqrt", {Int(16, TypeId::kUInt8)});
  EXPECT_EQ(sqrt.value.type, DataType::Of(TypeId::kFloat64));
  EXPECT_EQ(FloatOf(sqrt), 4);
  CALL(cbrt, "cbrt", {Int(27)});
  EXPECT_DOUBLE_EQ(FloatOf(cbrt), 3);
  CALL(ln, "ln", {Float(1)});
  EXPECT_EQ(FloatOf(ln), 0);
  CALL(log, "log", {Float(std::numbers::e)});
  EXPECT_DOUBLE_EQ(FloatOf(log), 1);
  CALL(log2, "log2", {Int(8)});
  EXPECT_EQ(FloatOf(log2), 3);
  CALL(log10, "log10", {Int(1000)});
  EXPECT_EQ(FloatOf(log10), 3);
  CALL(exp, "exp", {Int(0)});
  EXPECT_EQ(FloatOf(exp), 1);
  CALL(exp2, "exp2", {Int(10)});
  EXPECT_EQ(FloatOf(exp2), 1024);
  CALL(pow, "pow", {Int(2), Int(10)});
  EXPECT_EQ(FloatOf(pow), 1024);
  CALL(power, "POWER", {Int(2), Float(0.5)});
  EXPECT_DOUBLE_EQ(FloatOf(power), std::sqrt(2.0));
  CALL(pi, "pi", {});
  EXPECT_EQ(FloatOf(pi), 3.141592653589793);
  CALL(e, "e", {});
  EXPECT_EQ(FloatOf(e), 2.718281828459045);
}

TEST(MathFunctionsTest, OutOfDomainIsIeee) {
  CALL(sqrt, "sqrt", {Int(-1)});
  EXPECT_TRUE(std::isnan(FloatOf(sqrt)));
  CALL(log, "log", {Int(0)});
  EXPECT_EQ(FloatOf(log), -INFINITY);
}

TEST(MathFunctionsTest, Sign) {
  CALL(negative, "sign", {Int(-5)});
  EXPECT_EQ(negative.value.type, DataType::Of(TypeId::kInt8));
  EXPECT_EQ(IntOf(negative), -1);
  CALL(zero, "sign", {Int(0)});
  EXPECT_EQ(IntOf(zero), 0);
  CALL(big_unsigned, "sign", {UInt(18446744073709551615u)});
  EXPECT_EQ(IntOf(big_unsigned), 1);
  CALL(fraction, "sign", {Float(-0.5)});
  EXPECT_EQ(IntOf(fraction), -1);
}

TEST(MathFunctionsTest, GreatestLeastTakeTheSupertype) {
  CALL(mixed, "greatest", {Int(1, TypeId::kUInt8), Float(2.5)});
  EXPECT_EQ(mixed.value.type, DataType::Of(TypeId::kFloat64));
  EXPECT_EQ(FloatOf(mixed), 2.5);
  CALL(sign, "greatest", {Int(1, TypeId::kUInt8), Int(-1, TypeId::kInt8)});
  EXPECT_EQ(sign.value.type, DataType::Of(TypeId::kInt16));
  EXPECT_EQ(IntOf(sign), 1);
  CALL(unsigned_max, "greatest", {UInt(18446744073709551615u), UInt(1)});
  EXPECT_EQ(static_cast<uint64_t>(IntOf(unsigned_max)), 18446744073709551615u);
  CALL(three, "least", {Int(3), Int(-7), Int(5)});
  EXPECT_EQ(IntOf(three), -7);
  CALL(strings, "least", {Str("b"), Str("a"), Str("c")});
  EXPECT_EQ(StrOf(strings), "a");
  // Date vs DateTime compares instants: 2026-10-05 vs 2026-10-05 00:00:01.
  CALL(times, "greatest", {Time(TypeId::kDate, 20731), Time(TypeId::kDateTime, 20731 * 86400 + 1)});
  EXPECT_EQ(times.value.type, DataType::Of(TypeId::kDateTime));
  EXPECT_EQ(IntOf(times), 20731 * 86400 + 1);
  EXPECT_THAT(CallFunction("greatest", {Int(1), Str("a")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CallFunction("greatest", {Int(1)}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MathFunctionsTest, Errors) {
  absl::StatusOr<CallResult> text = CallFunction("sqrt", {Str("4")});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), "Illegal type String of argument 1 of function sqrt");
  EXPECT_THAT(CallFunction("pow", {Int(1)}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CallFunction("pi", {Int(1)}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RegexpFunctionsTest, Match) {
  CALL(hit, "match", {Str("hello world"), Str("w.r")});
  EXPECT_EQ(hit.value.type, DataType::Of(TypeId::kUInt8));
  EXPECT_EQ(IntOf(hit), 1);
  CALL(anchored, "match", {Str("abc"), Str("^b")});
  EXPECT_EQ(IntOf(anchored), 0);
  CALL(dot_newline, "match", {Str("a\nb"), Str("a.b")});  // ClickHouse: '.' matches \n
  EXPECT_EQ(IntOf(dot_newline), 1);
  CALL(case_insensitive, "match", {Str("ABC"), Str("(?i)abc")});
  EXPECT_EQ(IntOf(case_insensitive), 1);
  CALL(column_pattern, "match", {Str("view_item"), Column(Str("^view_"))});
  EXPECT_EQ(IntOf(column_pattern), 1);
}

TEST(RegexpFunctionsTest, BadPatternIsCannotCompileRegexp) {
  absl::StatusOr<CallResult> bad = CallFunction("match", {Str("a"), Str("(")});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("Cannot compile regexp: ("));
  // A non-constant pattern fails when the row is evaluated.
  EXPECT_THAT(CallFunction("extract", {Str("a"), Column(Str("[a"))}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RegexpFunctionsTest, Extract) {
  CALL(group, "extract", {Str("user_id=42&x=1"), Str("user_id=(\\d+)")});
  EXPECT_EQ(StrOf(group), "42");
  CALL(whole, "extract", {Str("abc"), Str("b.")});
  EXPECT_EQ(StrOf(whole), "bc");
  CALL(none, "extract", {Str("abc"), Str("z")});
  EXPECT_EQ(StrOf(none), "");
}

TEST(RegexpFunctionsTest, ExtractAll) {
  CALL(numbers, "extractAll", {Str("a1b22c333"), Str("\\d+")});
  EXPECT_EQ(numbers.value.type, DataType::Array(TypeId::kString));
  EXPECT_THAT(StrArrayOf(numbers), ElementsAre("1", "22", "333"));
  CALL(keys, "extractAll", {Str("k1=v1;k2=v2"), Str("(\\w+)=")});
  EXPECT_THAT(StrArrayOf(keys), ElementsAre("k1", "k2"));
  CALL(empty_match, "extractAll", {Str("abc"), Str("x*")});  // stops at an empty match
  EXPECT_THAT(StrArrayOf(empty_match), ElementsAre());
  CALL(count, "countMatches", {Str("foobarfoo"), Str("foo")});
  EXPECT_EQ(IntOf(count), 2);
}

TEST(RegexpFunctionsTest, Replace) {
  CALL(one, "replaceRegexpOne", {Str("Hello, World!"), Str("o"), Str("0")});
  EXPECT_EQ(StrOf(one), "Hell0, World!");
  CALL(all, "replaceRegexpAll", {Str("Hello, World!"), Str("o"), Str("0")});
  EXPECT_EQ(StrOf(all), "Hell0, W0rld!");
  CALL(groups, "replaceRegexpAll", {Str("2026-10-05"), Str("(\\d+)-(\\d+)-(\\d+)"), Str("\\3.\\2.\\1")});
  EXPECT_EQ(StrOf(groups), "05.10.2026");
  CALL(whole, "replaceRegexpOne", {Str("abc"), Str("b"), Str("[\\0]")});
  EXPECT_EQ(StrOf(whole), "a[b]c");
  CALL(escaped, "replaceRegexpOne", {Str("abc"), Str("b"), Str("\\\\x")});
  EXPECT_EQ(StrOf(escaped), "a\\xc");
  // ClickHouse's documented examples for empty matches.
  CALL(caret, "replaceRegexpAll", {Str("Hello, World!"), Str("^"), Str("here: ")});
  EXPECT_EQ(StrOf(caret), "here: Hello, World!");
  CALL(empty, "replaceRegexpAll", {Str("abc"), Str(""), Str("-")});
  EXPECT_EQ(StrOf(empty), "-a-b-c-");
  absl::StatusOr<CallResult> bad = CallFunction("replaceRegexpOne", {Str("abc"), Str("b"), Str("\\2")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Substitution '\\2' in replacement argument is invalid, regexp has only 0 capturing "
            "groups");
}

TEST(RegexpFunctionsTest, QuoteMetaAndMultiMatch) {
  CALL(quoted, "regexpQuoteMeta", {Str("a.b*c")});
  EXPECT_EQ(StrOf(quoted), "a\\.b\\*c");
  CALL(any, "multiMatchAny", {Str("view_item"), StrArray({"^search", "item$"})});
  EXPECT_EQ(IntOf(any), 1);
  CALL(none, "multiMatchAny", {Str("purchase"), StrArray({"^search", "item$"})});
  EXPECT_EQ(IntOf(none), 0);
}

TEST(FormatFunctionsTest, ReadableSizes) {
  CALL(byte, "formatReadableSize", {Int(1)});
  EXPECT_EQ(StrOf(byte), "1.00 B");
  CALL(kib, "formatReadableSize", {Int(1024)});
  EXPECT_EQ(StrOf(kib), "1.00 KiB");
  CALL(mib, "formatReadableSize", {Int(1536 * 1024)});
  EXPECT_EQ(StrOf(mib), "1.50 MiB");
  CALL(decimal, "formatReadableDecimalSize", {Int(1500)});
  EXPECT_EQ(StrOf(decimal), "1.50 KB");
  CALL(quantity, "formatReadableQuantity", {Int(1234567)});
  EXPECT_EQ(StrOf(quantity), "1.23 million");
  CALL(small, "formatReadableQuantity", {Int(12)});
  EXPECT_EQ(StrOf(small), "12.00");
}

TEST(FormatFunctionsTest, ReadableTimeDelta) {
  CALL(minutes, "formatReadableTimeDelta", {Int(100)});
  EXPECT_EQ(StrOf(minutes), "1 minute and 40 seconds");
  CALL(years, "formatReadableTimeDelta", {Int(432546534)});
  EXPECT_EQ(StrOf(years), "13 years, 8 months, 17 days, 7 hours, 48 minutes and 54 seconds");
  CALL(capped, "formatReadableTimeDelta", {Int(432546534), Str("hours")});
  EXPECT_EQ(StrOf(capped), "120151 hours, 48 minutes and 54 seconds");
  EXPECT_THAT(CallFunction("formatReadableTimeDelta", {Int(1), Str("weeks")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FormatFunctionsTest, ServerFacts) {
  CALL(database, "currentDatabase", {});
  EXPECT_EQ(StrOf(database), "default");
  CALL(version, "version", {});
  EXPECT_EQ(StrOf(version), "0.1");
  CALL(zone, "timezone", {});
  EXPECT_EQ(StrOf(zone), "UTC");
}

}  // namespace
}  // namespace mua::test
