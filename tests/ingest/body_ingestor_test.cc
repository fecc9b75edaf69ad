#include "ingest/body_ingestor.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/reject_reason.h"
#include "storage/table.h"
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

}  // namespace
}  // namespace mua
