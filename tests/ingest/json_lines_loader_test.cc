#include "ingest/json_lines_loader.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/dedup.h"
#include "ingest/pii.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/json_writer.h"

namespace mua {
namespace {

using ::testing::HasSubstr;
using test::MillisAt;
using test::StatusIs;

IngestOptions TestOptions() {
  IngestOptions options;
  options.now = absl::FromUnixMillis(MillisAt("2026-11-01T00:00:00"));
  return options;
}

struct Generated {
  std::string text;
  gen::JsonLinesStats stats;
};

Generated Generate(const gen::GeneratorOptions& options) {
  Generated out;
  auto stats = gen::WriteJsonLines(options, [&](std::string& chunk) {
    out.text += chunk;
    return absl::OkStatus();
  });
  EXPECT_TRUE(stats.ok()) << stats.status();
  out.stats = *stats;
  return out;
}

std::string Line(const std::string& event_id, const std::string& user_id) {
  return absl::StrCat(R"({"event_id":")", event_id, R"(","user_id":")", user_id,
                      R"(","event_type":"app_open","event_timestamp":"2026-10-05T14:03:07Z"})");
}

TEST(JsonLinesLoaderTest, LoadsGeneratedFileWithDuplicatesAndInvalidLines) {
  const Generated generated = Generate(
      {.users = 400, .days = 5, .seed = 3, .duplicate_share = 0.04, .invalid_share = 0.03});
  ASSERT_GT(generated.stats.duplicates, 100);
  ASSERT_GT(generated.stats.invalid, 100);
  const std::string path = ::testing::TempDir() + "/generated.jsonl";
  std::ofstream(path, std::ios::binary) << generated.text;

  for (int threads : {1, 2}) {
    IngestOptions options = TestOptions();
    options.threads = threads;
    options.chunk_bytes = 256 << 10;  // many chunks, each split across threads
    options.batch_rows = 3000;
    Table table;
    LoadStats stats;
    ASSERT_OK(LoadJsonLines(path, &table, options, &stats));
    EXPECT_EQ(stats.lines, generated.stats.events + generated.stats.invalid);
    EXPECT_EQ(stats.accepted + stats.duplicates + stats.rejected, stats.lines);
    EXPECT_EQ(stats.accepted, generated.stats.events - generated.stats.duplicates);
    EXPECT_EQ(stats.duplicates, generated.stats.duplicates);
    EXPECT_EQ(stats.rejected, generated.stats.invalid);
    EXPECT_EQ(static_cast<int64_t>(table.row_count()), stats.accepted);
    EXPECT_EQ(stats.bytes, static_cast<int64_t>(generated.text.size()));
    EXPECT_EQ(static_cast<int64_t>(stats.rejected_events.size()), stats.rejected);
    int64_t by_reason = 0;
    for (int64_t count : stats.rejected_by_reason) by_reason += count;
    EXPECT_EQ(by_reason, stats.rejected);
    EXPECT_EQ(static_cast<int64_t>(table.user_index().size()), generated.stats.users);
    // Sources are FILE:LINE in increasing line order, and point at the rejected line.
    std::vector<std::string> lines = absl::StrSplit(generated.text, '\n');
    int64_t previous = 0;
    for (const RejectedEvent& rejected : stats.rejected_events) {
      ASSERT_THAT(rejected.source, HasSubstr(path + ":"));
      const int64_t number = std::stoll(rejected.source.substr(path.size() + 1));
      ASSERT_GT(number, previous);
      previous = number;
      ASSERT_EQ(rejected.raw, lines[number - 1]);
      ASSERT_FALSE(rejected.message.empty());
    }
  }
}

TEST(JsonLinesLoaderTest, SharedDedupDropsRepeatsAcrossLoads) {
  const Generated generated = Generate({.users = 100, .days = 2, .seed = 9});
  Deduplicator dedup;
  IngestOptions options = TestOptions();
  options.dedup = &dedup;
  Table table;
  LoadStats first;
  std::istringstream in1(generated.text);
  ASSERT_OK(LoadJsonLines(in1, "first", &table, options, &first));
  LoadStats second;
  std::istringstream in2(generated.text);
  ASSERT_OK(LoadJsonLines(in2, "second", &table, options, &second));
  EXPECT_EQ(first.accepted, generated.stats.events);
  EXPECT_EQ(second.accepted, 0);
  EXPECT_EQ(second.duplicates, generated.stats.events);
  EXPECT_EQ(static_cast<int64_t>(table.row_count()), generated.stats.events);
}

TEST(JsonLinesLoaderTest, BlankLinesCrlfAndMissingFinalNewline) {
  const std::string text = absl::StrCat(Line("1", "a"), "\r\n\n   \n", Line("2", "a"), "\n\r\n",
                                        "{\"broken\n", Line("1", "a"), "\n", Line("1", "b"));
  std::istringstream in(text);
  Table table;
  LoadStats stats;
  ASSERT_OK(LoadJsonLines(in, "mem", &table, TestOptions(), &stats));
  EXPECT_EQ(stats.blank_lines, 3);
  EXPECT_EQ(stats.lines, 5);
  EXPECT_EQ(stats.accepted, 3);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.rejected, 1);
  EXPECT_EQ(stats.rejected_for(RejectReason::kMalformedJson), 1);
  ASSERT_EQ(stats.rejected_events.size(), 1u);
  EXPECT_EQ(stats.rejected_events[0].source, "mem:6");
  EXPECT_EQ(stats.rejected_events[0].raw, "{\"broken");
  EXPECT_EQ(table.row_count(), 3u);
}

TEST(JsonLinesLoaderTest, OversizedLinesAreRejectedWithoutBufferingThem) {
  IngestOptions options = TestOptions();
  options.decoder.max_payload_bytes = 1000;
  options.chunk_bytes = 4096;
  const std::string huge = absl::StrCat(R"({"event_id":"x","city":")", std::string(50'000, 'c'),
                                        R"("})");
  const std::string medium = absl::StrCat(R"({"event_id":"y","city":")", std::string(2000, 'c'),
                                          R"("})");
  const std::string text =
      absl::StrCat(Line("1", "a"), "\n", huge, "\n", Line("2", "a"), "\n", medium, "\n", huge);
  std::istringstream in(text);
  Table table;
  LoadStats stats;
  ASSERT_OK(LoadJsonLines(in, "mem", &table, options, &stats));
  EXPECT_EQ(stats.lines, 5);
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.rejected_for(RejectReason::kTooLarge), 3);
  ASSERT_EQ(stats.rejected_events.size(), 3u);
  EXPECT_EQ(stats.rejected_events[0].source, "mem:2");
  EXPECT_EQ(stats.rejected_events[0].raw.size(), RejectedEvent::kMaxRawBytes);
  EXPECT_EQ(stats.rejected_events[1].source, "mem:4");
  EXPECT_EQ(stats.rejected_events[2].source, "mem:5");
}

TEST(JsonLinesLoaderTest, KeepsABoundedNumberOfRejectedEvents) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "not json\n";
  IngestOptions options = TestOptions();
  options.max_rejected_kept = 10;
  std::istringstream in(text);
  Table table;
  LoadStats stats;
  ASSERT_OK(LoadJsonLines(in, "mem", &table, options, &stats));
  EXPECT_EQ(stats.rejected, 50);
  EXPECT_EQ(stats.rejected_events.size(), 10u);
}

TEST(JsonLinesLoaderTest, HashesUserIds) {
  ASSERT_OK_AND_ASSIGN(const UserIdHasher hasher, UserIdHasher::FromSalt("salty"));
  IngestOptions options = TestOptions();
  options.decoder.user_id_hasher = &hasher;
  std::istringstream in(absl::StrCat(Line("1", "alice"), "\n", Line("1", "alice"), "\n",
                                     Line("1", "bob"), "\n"));
  Table table;
  LoadStats stats;
  ASSERT_OK(LoadJsonLines(in, "mem", &table, options, &stats));
  EXPECT_EQ(stats.accepted, 2);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_TRUE(table.user_index().Find(hasher.Hash("alice")).has_value());
  EXPECT_TRUE(table.user_index().Find(hasher.Hash("bob")).has_value());
  EXPECT_FALSE(table.user_index().Find("alice").has_value());
}

TEST(JsonLinesLoaderTest, MissingFileIsNotFound) {
  Table table;
  LoadStats stats;
  EXPECT_THAT(LoadJsonLines("/nonexistent/events.jsonl", &table, TestOptions(), &stats),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace mua
