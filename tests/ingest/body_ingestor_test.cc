#include "ingest/body_ingestor.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/reject_reason.h"
#include "ingest/rejected_event_log.h"
#include "storage/scan_block.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::HasSubstr;
using test::MillisAt;
using test::StatusIs;

constexpr size_t kTwoMillion = 2'000'000;

IngestOptions TestOptions() {
  IngestOptions options;
  options.now = absl::FromUnixMillis(MillisAt("2026-11-01T00:00:00"));
  // Large enough that the deep payloads reach the parser rather than the size check.
  options.decoder.max_payload_bytes = size_t{64} << 20;
  return options;
}

std::string Event(absl::string_view event_id, absl::string_view extra = "") {
  return absl::StrCat(R"({"event_id":")", event_id,
                      R"(","user_id":"u1","event_type":"app_open",)",
                      R"("event_timestamp":"2026-10-05T14:03:07Z")", extra, "}");
}

// `depth` levels of {"a": ... } around 1, unterminated when `close` is false.
std::string ObjectChain(size_t depth, bool close = true) {
  std::string text;
  text.reserve(depth * 6 + 1);
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  if (close) text.append(depth, '}');
  return text;
}

// A JSON string literal holding `text` (only '"' needs escaping in our inputs).
std::string Quoted(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

class BodyIngestorTest : public ::testing::Test {
 protected:
  absl::StatusOr<BodyIngestStats> Ingest(absl::string_view body, BodyFormat format,
                                         const std::vector<std::string>& columns = {}) {
    return ingestor_.Ingest(body, format, "http", columns);
  }
  size_t Rows() const { return table_.Snapshot().row_count(); }

  Table table_;
  BodyIngestor ingestor_{&table_, TestOptions()};
};

TEST_F(BodyIngestorTest, DeepJsonEachRowLinesAreRejectedAloneAndTheRestStored) {
  const std::string row1 = R"({"event_time":"2026-10-05T14:03:07Z","user_id":"u1","event_id":"e1",)"
                           R"("event_type":"app_open","properties":"{\"plan\":\"pro\"}"})";
  const std::string row2 = R"({"event_time":"2026-10-05T14:03:08Z","user_id":"u1","event_id":"e2",)"
                           R"("event_type":"app_open"})";
  const std::string deep_properties =
      absl::StrCat(R"({"event_time":"2026-10-05T14:03:07Z","user_id":"u1","event_id":"e3",)",
                   R"("event_type":"app_open","properties":)",
                   Quoted(ObjectChain(kTwoMillion / 5)), "}");
  const std::string body = absl::StrCat(row1, "\n", std::string(kTwoMillion, '['), "\n",
                                        ObjectChain(kTwoMillion / 5, /*close=*/false), "\n",
                                        deep_properties, "\n", row2, "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Ingest(body, BodyFormat::kJsonEachRow));
  EXPECT_EQ(stats.events, 5);
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected, 3);
  EXPECT_EQ(Rows(), 2u);
  ASSERT_EQ(stats.first_rejected.size(), 3u);
  EXPECT_EQ(stats.first_rejected[0].reason, RejectReason::kNotAnObject);
  for (int i : {1, 2}) {
    EXPECT_EQ(stats.first_rejected[i].reason, RejectReason::kMalformedJson);
    EXPECT_THAT(stats.first_rejected[i].message, HasSubstr("JSON nested deeper than 64 levels"));
  }
}

TEST_F(BodyIngestorTest, DeepJsonCompactEachRowLinesAreRejectedAlone) {
  const std::vector<std::string> columns = {"event_time", "user_id", "event_id", "event_type",
                                            "properties"};
  const std::string good = R"(["2026-10-05T14:03:07Z","u1","e1","app_open","{}"])";
  const std::string deep_properties = absl::StrCat(R"(["2026-10-05T14:03:07Z","u1","e2","app_open",)",
                                                   Quoted(ObjectChain(kTwoMillion / 5)), "]");
  const std::string body = absl::StrCat(std::string(kTwoMillion, '['), "\n", good, "\n",
                                        deep_properties, "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats,
                       Ingest(body, BodyFormat::kJsonCompactEachRow, columns));
  EXPECT_EQ(stats.events, 3);
  EXPECT_EQ(stats.accepted, 1);
  EXPECT_EQ(stats.rejected, 2);
  EXPECT_EQ(Rows(), 1u);
}

TEST_F(BodyIngestorTest, DeepEventLinesAreRejectedAlone) {
  const std::string body = absl::StrCat(Event("e1"), "\n", std::string(kTwoMillion, '['), "\n",
                                        Event("e2", absl::StrCat(",\"properties\":",
                                                                  ObjectChain(kTwoMillion / 5))),
                                        "\n", Event("e3"), "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Ingest(body, BodyFormat::kEventLines));
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected, 2);
  EXPECT_EQ(Rows(), 2u);
}

TEST_F(BodyIngestorTest, DeepElementsOfAnEventArrayAreRejectedAlone) {
  const std::string body = absl::StrCat(
      "[", Event("e1"), ",\n", std::string(kTwoMillion, '['), std::string(kTwoMillion, ']'), ",",
      ObjectChain(kTwoMillion / 5), ",",
      Event("e2", absl::StrCat(",\"properties\":", ObjectChain(kTwoMillion / 5))), ",\n  ",
      Event("e3"), "]\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Ingest(body, BodyFormat::kEventArray));
  EXPECT_EQ(stats.events, 5);
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected, 3);
  EXPECT_EQ(Rows(), 2u);
  ASSERT_EQ(stats.first_rejected.size(), 3u);
  EXPECT_EQ(stats.first_rejected[0].reason, RejectReason::kNotAnObject);
  EXPECT_THAT(stats.first_rejected[1].message, HasSubstr("JSON nested deeper than 64 levels"));
  EXPECT_THAT(stats.first_rejected[2].message, HasSubstr("JSON nested deeper than 64 levels"));
}

TEST_F(BodyIngestorTest, AnUnterminatedDeepArrayBodyIsACleanError) {
  for (const std::string& body :
       {std::string(kTwoMillion, '['), absl::StrCat("[", ObjectChain(kTwoMillion / 5, false))}) {
    EXPECT_THAT(Ingest(body, BodyFormat::kEventArray),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_EQ(Rows(), 0u);
}

TEST_F(BodyIngestorTest, EventArraySplitsOnlyOnItsOwnCommas) {
  // Brackets, commas and escaped quotes inside strings; an array over several lines.
  const std::string body = absl::StrCat("\xEF\xBB\xBF [\n  ", Event("e1", R"(,"properties":{"s":"],[{\"}"})"),
                                        " ,\n  ", Event("e2", R"(,"properties":{"l":[1,{"x":[]}]})"),
                                        "\n]  \n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Ingest(body, BodyFormat::kEventArray));
  EXPECT_EQ(stats.events, 2);
  EXPECT_EQ(stats.accepted, 2);
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats empty, Ingest(" [ ] ", BodyFormat::kEventArray));
  EXPECT_EQ(empty.events, 0);
}

TEST_F(BodyIngestorTest, EventArrayWithAMalformedElementRejectsOnlyIt) {
  const std::string body = absl::StrCat("[", Event("e1"), ", {\"event_id\": \"e9\" 2}, \"text\", 7, ",
                                        Event("e2"), "]");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Ingest(body, BodyFormat::kEventArray));
  EXPECT_EQ(stats.events, 5);
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected, 3);
  EXPECT_EQ(stats.first_rejected[0].reason, RejectReason::kMalformedJson);
  EXPECT_EQ(stats.first_rejected[1].reason, RejectReason::kNotAnObject);
}

TEST_F(BodyIngestorTest, BodiesThatAreNotOneArrayAreRefusedWhole) {
  for (absl::string_view body : {"", "  ", "{}", "[1,]", "[,1]", "[1,,2]", "[1] [2]", "[1] x",
                                 "[\"]", "[1}", "[{\"a\":1}"}) {
    EXPECT_THAT(Ingest(body, BodyFormat::kEventArray), StatusIs(absl::StatusCode::kInvalidArgument))
        << body;
  }
  EXPECT_EQ(Rows(), 0u);
}

// ---- Streamed bodies: chunks, blocks, TabSeparated and CSV ----

class BodyStreamTest : public ::testing::Test {
 protected:
  // Feeds `body` to IngestStream in chunks of `chunk` bytes, then `error` if set.
  absl::StatusOr<BodyIngestStats> Stream(BodyIngestor& ingestor, absl::string_view body, BodyFormat format,
                                         size_t chunk, const std::vector<std::string>& columns = {},
                                         std::optional<absl::Status> error = std::nullopt) {
    size_t at = 0;
    const BodyChunkSource next = [&](std::string* out) -> absl::StatusOr<bool> {
      if (at >= body.size()) {
        if (error) return *error;
        return false;
      }
      *out = std::string(body.substr(at, chunk));
      at += chunk;
      return true;
    };
    return ingestor.IngestStream(next, format, "http:q", columns);
  }
  size_t Rows() const { return table_.Snapshot().row_count(); }

  Table table_;
  RejectedEventLog log_;
  IngestOptions Options() {
    IngestOptions options = TestOptions();
    options.rejected_log = &log_;
    return options;
  }
  BodyIngestor small_blocks_{&table_, Options(), BodyStreamLimits{.block_bytes = 1000, .max_row_bytes = 400}};
};

std::string EachRow(int i) {
  return absl::StrCat(R"({"event_time":"2026-10-05 14:03:07.000","user_id":"u)", i % 7, R"(","event_id":"e)", i,
                      R"(","event_type":"app_open","properties":"{\"n\":)", i, R"(}"})");
}

TEST_F(BodyStreamTest, RowsAcrossChunkEdgesAreStoredBlockByBlock) {
  std::string body;
  for (int i = 0; i < 200; ++i) absl::StrAppend(&body, EachRow(i), i % 2 ? "\r\n" : "\n");
  body += EachRow(200);  // the last row without a line end
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    Table table;
    BodyIngestor ingestor(&table, TestOptions(), BodyStreamLimits{.block_bytes = 1000});
    ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(ingestor, body, BodyFormat::kJsonEachRow, chunk));
    EXPECT_EQ(stats.events, 201) << chunk;
    EXPECT_EQ(stats.accepted, 201) << chunk;
    EXPECT_EQ(stats.bytes, static_cast<int64_t>(body.size()));
    EXPECT_GT(stats.blocks, 10) << chunk;  // ~11 rows of ~90 bytes per 1000-byte block
    EXPECT_EQ(table.Snapshot().row_count(), 201u);
  }
}

TEST_F(BodyStreamTest, OversizedRowIsRejectedAndTheRestStored) {
  const std::string body = absl::StrCat(EachRow(1), "\n", std::string(5000, 'x'), "\n", EachRow(2), "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(small_blocks_, body, BodyFormat::kJsonEachRow, 64));
  EXPECT_EQ(stats.events, 3);
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected, 1);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_EQ(stats.first_rejected[0].reason, RejectReason::kTooLarge);
  EXPECT_EQ(stats.first_rejected[0].offset, 2);
  EXPECT_EQ(stats.first_rejected[0].source, "http:q:2");
  EXPECT_THAT(stats.first_rejected[0].message, HasSubstr("the limit is 400 bytes"));
  EXPECT_EQ(Rows(), 2u);
  EXPECT_EQ(log_.Rows().size(), 1u);
}

TEST_F(BodyStreamTest, RejectsAreNumberedFromTheBodysFirstLine) {
  std::string body;
  for (int i = 0; i < 50; ++i) absl::StrAppend(&body, i == 40 ? "not json" : EachRow(i), "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(small_blocks_, body, BodyFormat::kJsonEachRow, 100));
  EXPECT_GT(stats.blocks, 3);
  EXPECT_EQ(stats.accepted, 49);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_EQ(stats.first_rejected[0].offset, 41);
  EXPECT_EQ(stats.first_rejected[0].source, "http:q:41");
}

TEST_F(BodyStreamTest, AnErrorMidBodyKeepsTheBlocksBefore) {
  std::string body;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&body, EachRow(i), "\n");
  const absl::StatusOr<BodyIngestStats> stats = Stream(small_blocks_, body, BodyFormat::kJsonEachRow, 100, {},
                                                       absl::DataLossError("the client closed the connection"));
  ASSERT_THAT(stats, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(stats.status().message()), HasSubstr("are stored: a body is committed block by block"));
  // Whole blocks only: the rows of the block being built when the body broke are not.
  EXPECT_GT(Rows(), 0u);
  EXPECT_LT(Rows(), 100u);
}

TEST_F(BodyStreamTest, TabSeparatedRows) {
  const std::vector<std::string> columns = {"event_time", "user_id", "event_id", "event_type", "country",
                                            "properties"};
  const std::string body = absl::StrCat(
      "2026-10-05 14:03:07.000\tu1\te1\tapp_open\tUS\t{\"plan\":\"pro\",\"s\":\"a\\\\tb\"}\n",
      "1791209587000\tu1\te2\tapp_open\t\\N\t{}\r\n",  // epoch milliseconds; NULL country
      "2026-10-05 14:03:07\t\\N\te3\tapp_open\tUS\t{}\n",  // NULL user_id: missing
      "2026-10-05 14:03:07\tu1\te4\n",                     // too few fields
      "2026-10-05 14:03:07\tu1\te5\tapp_open\tUS\tnot json\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats,
                       Stream(small_blocks_, body, BodyFormat::kTabSeparated, 10, columns));
  EXPECT_EQ(stats.events, 5);
  EXPECT_EQ(stats.accepted, 2);
  ASSERT_EQ(stats.first_rejected.size(), 3u);
  EXPECT_EQ(stats.first_rejected[0].reason, RejectReason::kMissingUserId);
  EXPECT_EQ(stats.first_rejected[1].reason, RejectReason::kMalformedJson);
  EXPECT_THAT(stats.first_rejected[1].message, HasSubstr("TabSeparated row: 3 fields, the INSERT names 6 columns"));
  EXPECT_EQ(stats.first_rejected[2].reason, RejectReason::kWrongType);  // properties not an object
}

TEST_F(BodyStreamTest, RowsWithoutAColumnListMayOmitAttributes) {
  // Every column, or the 14 before `attributes` (files of earlier releases).
  const std::string fields14 = "2026-10-05 14:03:07.000\tu1\ts1\te1\tapp_open\tios\t17\t4.3.0\tiPhone\tphone\tUS\tCA\tSF\t{}";
  const std::string body = absl::StrCat(fields14, "\n", absl::StrReplaceAll(fields14, {{"\te1\t", "\te2\t"}}),
                                        "\t{\"page\":{\"url\":\"x\"}}\n", "2026-10-05 14:03:07\tu1\te3\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(small_blocks_, body, BodyFormat::kTabSeparated, 7));
  EXPECT_EQ(stats.events, 3);
  EXPECT_EQ(stats.accepted, 2);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_THAT(stats.first_rejected[0].message, HasSubstr("3 fields, the INSERT names 15 columns"));
  const std::string compact = R"(["2026-10-05 14:03:07.000","u2","s1","e4","app_open","ios","17","4.3.0","iPhone","phone","US","CA","SF","{}"])";
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats compact_stats,
                       Stream(small_blocks_, compact + "\n", BodyFormat::kJsonCompactEachRow, 9));
  EXPECT_EQ(compact_stats.accepted, 1);
  EXPECT_EQ(Rows(), 3u);
}

TEST_F(BodyStreamTest, AnAttributesColumnIsStoredAsTheColumn) {
  const std::string body = absl::StrCat(
      R"({"event_time":"2026-10-05 14:03:07.000","user_id":"u1","event_id":"a1","event_type":"app_open",)",
      R"("attributes":"{\"page\":{\"utm_source\":\"google\"}}"})", "\n",
      R"({"event_time":"2026-10-05 14:03:07.000","user_id":"u1","event_id":"a2","event_type":"app_open",)",
      R"("attributes":""})", "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(small_blocks_, body, BodyFormat::kJsonEachRow, 11));
  EXPECT_EQ(stats.accepted, 2);
  std::vector<std::string> values;
  const TableSnapshot snapshot = table_.Snapshot();
  const ScanOptions options{.columns = {ColumnId::kAttributes}};
  ScanBuffers buffers;
  for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
    ScanBlock block;
    ASSERT_OK(snapshot.ReadBlock(ref, options.columns, &buffers, &block));
    for (absl::string_view value : block.strings[ColumnIndex(ColumnId::kAttributes)]) values.emplace_back(value);
  }
  EXPECT_THAT(values, ::testing::UnorderedElementsAre(R"({"page":{"utm_source":"google"}})", ""));
}

TEST_F(BodyStreamTest, CsvRows) {
  const std::vector<std::string> columns = {"event_time", "user_id", "event_id", "event_type", "city",
                                            "properties"};
  const std::string body = absl::StrCat(
      "\"2026-10-05 14:03:07.000\",\"u1\",\"e1\",\"app_open\",\"New\nYork, \"\"NY\"\"\",\"{\"\"plan\"\":\"\"pro\"\"}\"\n",
      "2026-10-05 14:03:07,u1,e2,app_open,,{}\r\n",
      "2026-10-05 14:03:07,u1,\"e3,app_open\n");  // unterminated quote: the last row
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, Stream(small_blocks_, body, BodyFormat::kCsv, 5, columns));
  EXPECT_EQ(stats.events, 3);
  EXPECT_EQ(stats.accepted, 2);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_THAT(stats.first_rejected[0].message, HasSubstr("CSV row: field 3 has no closing quote"));
}

// Rows are converted on the decoding threads; a row that starts with the byte marking a
// converted one is converted first, so it cannot pass as an event of its own.
TEST_F(BodyStreamTest, ARowStartingWithTheConvertedMarkIsStillARow) {
  const std::string event = R"({"event_id":"x1","user_id":"u9","event_type":"app_open","event_timestamp":"2026-10-05T14:03:07Z"})";
  const std::string body = absl::StrCat("\x01", event, "\n", "2026-10-05 14:03:07\tu1\te1\tapp_open\n");
  const std::vector<std::string> columns = {"event_time", "user_id", "event_id", "event_type"};
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats,
                       Stream(small_blocks_, body, BodyFormat::kTabSeparated, 7, columns));
  EXPECT_EQ(stats.events, 2);
  EXPECT_EQ(stats.accepted, 1);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_EQ(stats.first_rejected[0].offset, 1);
  EXPECT_THAT(stats.first_rejected[0].message, HasSubstr("1 fields, the INSERT names 4 columns"));
}

TEST_F(BodyStreamTest, WithNamesFormatsTakeTheirColumnsFromTheHeader) {
  const std::string tsv = absl::StrCat("event_type\tuser_id\tevent_id\tevent_time\tcampaign\n",
                                       "app_open\tu1\te1\t2026-10-05 14:03:07\tspring\n",
                                       "app_open\tu1\te2\n",  // 3 fields: rejected, line 3
                                       "screen_view\tu2\te3\t2026-10-05 14:03:08\t\\N\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats,
                       Stream(small_blocks_, tsv, BodyFormat::kTabSeparatedWithNames, 11));
  EXPECT_EQ(stats.events, 3);
  EXPECT_EQ(stats.accepted, 2);
  ASSERT_EQ(stats.first_rejected.size(), 1u);
  EXPECT_EQ(stats.first_rejected[0].offset, 3);
  EXPECT_THAT(stats.first_rejected[0].message, HasSubstr("3 fields, the INSERT names 5 columns"));
  const std::string csv = "user_id,event_id,event_type,event_time\nu3,e4,app_open,2026-10-05 14:03:09\n";
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats csv_stats, Stream(small_blocks_, csv, BodyFormat::kCsvWithNames, 8));
  EXPECT_EQ(csv_stats.accepted, 1);
  EXPECT_EQ(Rows(), 3u);
  EXPECT_THAT(Stream(small_blocks_, ",user_id\nx,y\n", BodyFormat::kCsvWithNames, 64),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(BodyStreamTest, WholeBodyIngestUsesTheSameBlocks) {
  std::string body;
  for (int i = 0; i < 30; ++i) absl::StrAppend(&body, EachRow(i), "\n");
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats,
                       small_blocks_.Ingest(body, BodyFormat::kJsonEachRow, "http"));
  EXPECT_EQ(stats.accepted, 30);
  EXPECT_GT(stats.blocks, 1);
  EXPECT_THAT(Stream(small_blocks_, "[]", BodyFormat::kEventArray, 10), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mua
