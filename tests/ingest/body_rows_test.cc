#include "ingest/internal/body_rows.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::ingest_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::StatusIs;

// What the splitter makes of `chunks`: each row's text, or "<N bytes>" for an oversized one.
std::vector<std::string> Split(const std::vector<std::string>& chunks, size_t max_row_bytes = 64,
                               bool csv = false) {
  RowSplitter splitter(max_row_bytes, csv);
  std::vector<std::string> rows;
  const RowSplitter::OnRow on_row = [&](const BodyRow& row) {
    rows.push_back(row.oversized_bytes > 0 ? "<" + std::to_string(row.oversized_bytes) + " bytes>"
                                           : std::string(row.text));
    return absl::OkStatus();
  };
  for (const std::string& chunk : chunks) EXPECT_OK(splitter.Feed(chunk, on_row));
  EXPECT_OK(splitter.Finish(on_row));
  return rows;
}

TEST(RowSplitterTest, RowsWithinAndAcrossChunks) {
  EXPECT_THAT(Split({"a\nbb\n", "ccc\n"}), ElementsAre("a", "bb", "ccc"));
  EXPECT_THAT(Split({"a\nb", "b\nc", "c", "c\n"}), ElementsAre("a", "bb", "ccc"));
  EXPECT_THAT(Split({"a", "", "\n"}), ElementsAre("a"));
}

TEST(RowSplitterTest, CrLfAndBlankLines) {
  EXPECT_THAT(Split({"a\r\nb\r", "\n\r\n\n"}), ElementsAre("a", "b", "", ""));
}

TEST(RowSplitterTest, LastRowWithoutLineEnd) {
  EXPECT_THAT(Split({"a\nlast"}), ElementsAre("a", "last"));
  EXPECT_THAT(Split({"a\nla", "st"}), ElementsAre("a", "last"));
}

TEST(RowSplitterTest, OversizedRowIsReportedNotBuffered) {
  const std::string big(100, 'x');
  // Within one chunk, across chunks, and as the last row without a line end.
  EXPECT_THAT(Split({"a\n" + big + "\nb\n"}, 64), ElementsAre("a", "<100 bytes>", "b"));
  RowSplitter splitter(64, false);
  std::vector<std::string> rows;
  const RowSplitter::OnRow on_row = [&](const BodyRow& row) {
    rows.push_back(row.oversized_bytes > 0 ? "big" : std::string(row.text));
    return absl::OkStatus();
  };
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(splitter.Feed(std::string(50, 'y'), on_row));
    EXPECT_LE(splitter.pending_bytes(), 64u);
  }
  ASSERT_OK(splitter.Feed("\nok\n", on_row));
  ASSERT_OK(splitter.Feed(big, on_row));
  ASSERT_OK(splitter.Finish(on_row));
  EXPECT_THAT(rows, ElementsAre("big", "ok", "big"));
  // A row exactly at the bound is kept.
  EXPECT_THAT(Split({std::string(32, 'z'), std::string(32, 'z') + "\n"}, 64),
              ElementsAre(std::string(64, 'z')));
}

TEST(RowSplitterTest, CsvQuotedLineEndsStayInTheRow) {
  EXPECT_THAT(Split({"1,\"a\nb\"\n2,\"c", "\"\"\n\"\n"}, 64, /*csv=*/true),
              ElementsAre("1,\"a\nb\"", "2,\"c\"\"\n\""));
}

TEST(RowSplitterTest, CallbackErrorStops) {
  RowSplitter splitter(64, false);
  int calls = 0;
  const RowSplitter::OnRow on_row = [&](const BodyRow&) {
    ++calls;
    return absl::InternalError("stop");
  };
  EXPECT_THAT(splitter.Feed("a\nb\n", on_row), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(calls, 1);
}

std::vector<std::optional<std::string>> Tsv(absl::string_view row) {
  std::vector<std::optional<std::string>> fields;
  EXPECT_OK(ParseTsvRow(row, &fields));
  return fields;
}

std::vector<std::optional<std::string>> Csv(absl::string_view row) {
  std::vector<std::optional<std::string>> fields;
  EXPECT_OK(ParseCsvRow(row, &fields));
  return fields;
}

TEST(ParseTsvRowTest, FieldsAndEscapes) {
  EXPECT_THAT(Tsv("a\tb\t"), ElementsAre("a", "b", ""));
  EXPECT_THAT(Tsv(R"(tab\there\nline\\back\'q\"d\x41\0z)"),
              ElementsAre(std::string("tab\there\nline\\back'q\"dA\0z", 25)));
  EXPECT_THAT(Tsv(R"(\b\f\r\a\v)"), ElementsAre("\b\f\r\a\v"));
  EXPECT_THAT(Tsv(R"({"k":"v\\n"})"), ElementsAre(R"({"k":"v\n"})"));
  EXPECT_THAT(Tsv("2026-10-05 14:03:07.000\tu1"), ElementsAre("2026-10-05 14:03:07.000", "u1"));
}

TEST(ParseTsvRowTest, NullIsNullopt) {
  EXPECT_THAT(Tsv("a\t\\N\tc"), ElementsAre("a", std::nullopt, "c"));
  EXPECT_THAT(Tsv("\\N"), ElementsAre(std::nullopt));
  std::vector<std::optional<std::string>> fields;
  EXPECT_THAT(ParseTsvRow("a\\N", &fields), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTsvRow("\\Nx", &fields), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTsvRow("ab\\", &fields), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseCsvRowTest, QuotedAndBareFields) {
  EXPECT_THAT(Csv(R"("a",b , "c""d",  "e,f"  )"), ElementsAre("a", "b", "c\"d", "e,f"));
  EXPECT_THAT(Csv("\"multi\nline\",2026-10-05 14:03:07.000"),
              ElementsAre("multi\nline", "2026-10-05 14:03:07.000"));
  EXPECT_THAT(Csv(R"("{""plan"":""pro""}")"), ElementsAre(R"({"plan":"pro"})"));
  EXPECT_THAT(Csv(R"("")"), ElementsAre(""));
}

TEST(ParseCsvRowTest, EmptyBareAndBackslashNAreNull) {
  EXPECT_THAT(Csv("a,,\\N,"), ElementsAre("a", std::nullopt, std::nullopt, std::nullopt));
}

TEST(ParseCsvRowTest, Errors) {
  std::vector<std::optional<std::string>> fields;
  const absl::Status open = ParseCsvRow("\"open", &fields);
  EXPECT_EQ(open.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(open.message()), HasSubstr("no closing quote"));
  const absl::Status after = ParseCsvRow("\"a\"b,c", &fields);
  EXPECT_EQ(after.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(after.message()), HasSubstr("after the closing quote"));
}

}  // namespace
}  // namespace mua::ingest_internal
